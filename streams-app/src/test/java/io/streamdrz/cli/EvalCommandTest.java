package io.streamdrz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdrz.inference.ModelFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {

    private static final Path FIX = ModelFixtures.repoRoot().resolve("models/tests/fixtures/dscore");

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void printsTheTableAndWritesJson() throws Exception {
        Path json = dir.resolve("report.json");
        assertEquals(0, run("eval", "--ref", FIX.resolve("ref.rttm").toString(), "--hyp", FIX.resolve("sys.rttm").toString(),
                "--json", json.toString()), cli.err());
        String table = cli.out();
        assertTrue(table.contains("FILE1") && table.contains("FILE2") && table.contains("*** TOTAL ***"), table);
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        // md-eval-22 with union.uem (the default region): ALL 40.05 % at collar 0.25
        double expected = Double.parseDouble(Files.readString(FIX.resolve("md-eval_union_c0.25.txt"))
                .replaceAll("(?s).*OVERALL SPEAKER DIARIZATION ERROR = ([\\d.]+) percent of scored speaker time\\s+`\\(ALL\\).*", "$1"));
        assertEquals(expected, 100 * j.at("/total/der/0.25/der").asDouble(), 0.0051);
        assertTrue(j.at("/total/jer").asDouble() > 0);
    }

    @Test
    void jsonToStdoutAndUemAndRegion() throws Exception {
        assertEquals(0, run("eval", "--ref", FIX.resolve("ref.rttm").toString(), "--hyp", FIX.resolve("sys.rttm").toString(),
                "--uem", FIX.resolve("partial.uem").toString(), "--collars", "0.25", "--json", "-"), cli.err());
        JsonNode j = new ObjectMapper().readTree(cli.out());
        assertTrue(j.get("uem").asBoolean());
        assertFalse(j.at("/total/der/0.25").isMissingNode());
        assertTrue(j.at("/total/der/0").isMissingNode());
    }

    @Test
    void warnsAboutFilesOnOneSideOnly() throws Exception {
        Path ref = dir.resolve("ref.rttm");
        Path hyp = dir.resolve("hyp.rttm");
        Files.writeString(ref, "SPEAKER a 1 0 5 <NA> <NA> x <NA> <NA>\nSPEAKER b 1 0 5 <NA> <NA> x <NA> <NA>\n");
        Files.writeString(hyp, "SPEAKER a 1 0 5 <NA> <NA> A <NA> <NA>\nSPEAKER c 1 0 5 <NA> <NA> A <NA> <NA>\n");
        assertEquals(0, run("eval", "--ref", ref.toString(), "--hyp", hyp.toString(), "--json", "-"));
        assertTrue(cli.err().contains("'c' is in the hypothesis but not in the reference"), cli.err());
        assertTrue(cli.err().contains("'b' has no hypothesis"), cli.err());
        JsonNode j = new ObjectMapper().readTree(cli.out());
        assertEquals(0.5, j.at("/total/der/0/der").asDouble(), 1e-9);
    }

    @Test
    void badInputIsOneLineAndExitCodeOne() {
        assertEquals(1, run("eval", "--ref", dir.resolve("none.rttm").toString(), "--hyp", dir.resolve("none.rttm").toString()));
        assertEquals(1, cli.err().strip().lines().count(), cli.err());
        assertTrue(cli.err().startsWith("streamdrz eval: ") && cli.err().contains("no such file"), cli.err());
    }

    @Test
    void aFileWithoutRttmLinesIsRefusedAndAnEmptyOneIsNoSpeech() throws Exception {
        Path notRttm = Files.writeString(dir.resolve("LICENSE"), "GNU GENERAL PUBLIC LICENSE\nVersion 3\n");
        assertEquals(1, run("eval", "--ref", FIX.resolve("ref.rttm").toString(), "--hyp", notRttm.toString()));
        assertEquals(notRttm + ": not an RTTM file: none of its 2 lines is a SPEAKER record",
                cli.err().strip().replaceFirst("^streamdrz eval: ", ""));

        Path empty = Files.createFile(dir.resolve("empty.rttm"));
        assertEquals(0, run("eval", "--ref", FIX.resolve("ref.rttm").toString(), "--hyp", empty.toString()));
    }

    @Test
    void windowsAreScoredSeparately() throws Exception {
        Path ref = dir.resolve("ref.rttm");
        Path hyp = dir.resolve("hyp.rttm");
        Files.writeString(ref, "SPEAKER f 1 0 8 <NA> <NA> a <NA> <NA>\nSPEAKER f 1 8 8 <NA> <NA> b <NA> <NA>\n");
        Files.writeString(hyp, "SPEAKER f 1 0 8 <NA> <NA> A <NA> <NA>\nSPEAKER f 1 8 8 <NA> <NA> A <NA> <NA>\n");
        assertEquals(0, run("eval", "--ref", ref.toString(), "--hyp", hyp.toString(), "--window", "8", "--json", "-"));
        JsonNode j = new ObjectMapper().readTree(cli.out());
        assertEquals(0.0, j.at("/total/der/0/der").asDouble(), 1e-9);
        assertTrue(j.at("/files/f@0001").isObject());
    }
}
