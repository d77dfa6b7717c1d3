package io.streamdrz.eval;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The timeline picture: lanes, error marks and axis in the SVG, and what a browser makes of it. */
class TimelineSvgTest {

    /** Reference: A 0-4 s, B 4-8 s. Hypothesis: x 0-4 s (= A), y 4-6 s (= B), x 6-7 s (confused), nothing 7-8 s. */
    private static final List<SpeakerTurn> REF = List.of(new SpeakerTurn(0, 4, "A"), new SpeakerTurn(4, 8, "B"));
    private static final List<SpeakerTurn> HYP = List.of(new SpeakerTurn(0, 4, "x"), new SpeakerTurn(4, 6, "y"),
            new SpeakerTurn(6, 7, "x"), new SpeakerTurn(8, 9, "y"));

    @TempDir
    Path dir;

    @Test
    void errorsAreWhereDerCountsThem() {
        List<ErrorRegions.Region> regions = ErrorRegions.of(REF, HYP, java.util.Map.of("A", "x", "B", "y"));
        assertEquals(List.of(
                new ErrorRegions.Region(ErrorRegions.Kind.MISSED, 7, 8),
                new ErrorRegions.Region(ErrorRegions.Kind.FALSE_ALARM, 8, 9),
                new ErrorRegions.Region(ErrorRegions.Kind.CONFUSION, 6, 7)), regions);
    }

    @Test
    void theSvgHasALanePerSpeakerReferenceFirstAndTheErrorLanes() throws Exception {
        Document svg = parse(TimelineSvg.render(List.of(new TimelineSvg.Call("call-1", REF, HYP))));
        List<String> labels = texts(svg);
        List<String> lanes = labels.stream().filter(t -> t.matches("(ref|hyp) .*|missed|false alarm|confusion")).toList();
        assertEquals(List.of("ref A", "ref B", "hyp x", "hyp y", "missed", "false alarm", "confusion"), lanes);
        assertTrue(labels.contains("seconds"), labels.toString());
        assertTrue(labels.contains("0") && labels.contains("9"), "axis ticks in seconds: " + labels);
        assertTrue(labels.stream().anyMatch(t -> t.startsWith("call-1: DER ")), labels.toString());
        assertTrue(titles(svg).contains("confusion 6-7"), titles(svg).toString());
    }

    @Test
    void withoutAReferenceOnlyTheHypothesisIsDrawn() throws Exception {
        List<String> labels = texts(parse(TimelineSvg.render(List.of(new TimelineSvg.Call("c", null, HYP)))));
        assertTrue(labels.contains("hyp x") && labels.contains("hyp y"), labels.toString());
        assertTrue(labels.stream().noneMatch(t -> t.startsWith("ref ") || t.equals("missed")), labels.toString());
    }

    /**
     * Headless Chromium renders the SVG: the screenshot must not be blank, and must show
     * the colours of the reference lanes, of the hypothesis mapped onto them, and of the
     * error marks. Skipped where Debian's chromium is not installed.
     */
    @Test
    void chromiumShowsTheLanes() throws Exception {
        Optional<Path> chromium = chromium();
        Assumptions.assumeTrue(chromium.isPresent(),
                "chromium is not installed (Debian: apt-get install chromium); the screenshot test is skipped");
        Path svg = Files.writeString(dir.resolve("timeline.svg"),
                TimelineSvg.render(List.of(new TimelineSvg.Call("call-1", REF, HYP))), StandardCharsets.UTF_8);
        Path png = dir.resolve("shot.png");
        Process process = new ProcessBuilder(chromium.get().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--user-data-dir=" + dir.resolve("profile"), "--screenshot=" + png,
                "--window-size=1000,320", svg.toUri().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "chromium did not finish");
        assertTrue(Files.isRegularFile(png), "no screenshot: " + Files.readString(dir.resolve("chromium.log")));
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(count(image, 0xFFFFFF) < image.getWidth() * image.getHeight(), "blank screenshot");
        assertTrue(count(image, 0x1f77b4) > 500, "reference A's lane (and hypothesis x's) is drawn");
        assertTrue(count(image, 0x2ca02c) > 500, "reference B's lane (and hypothesis y's) is drawn");
        assertTrue(count(image, 0xd62728) > 50, "missed speech is marked");
    }

    private static long count(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static Optional<Path> chromium() {
        for (String name : new String[] {"chromium", "chromium-browser"}) {
            Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                    .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document svg) {
        return contents(svg.getElementsByTagName("text"));
    }

    private static List<String> titles(Document svg) {
        return contents(svg.getElementsByTagName("title"));
    }

    private static List<String> contents(NodeList nodes) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(((Element) nodes.item(i)).getTextContent());
        }
        return out;
    }
}
