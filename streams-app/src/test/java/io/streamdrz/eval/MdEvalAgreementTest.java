package io.streamdrz.eval;

import io.streamdrz.eval.DiarizationScorer.DefaultRegion;
import io.streamdrz.inference.ModelFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agreement with real NIST md-eval-22 output on the project's DER fixtures
 * ({@code models/tests/fixtures/dscore/}, read in place from the repository root; see
 * the README there): two files, overlapping reference turns, three scoring regions,
 * collars 0 and 0.25.
 */
class MdEvalAgreementTest {

    private static final Path FIX = ModelFixtures.repoRoot().resolve("models/tests/fixtures/dscore");
    private static final Map<String, String> KEYS = Map.of("total", "SCORED SPEAKER TIME", "missed",
            "MISSED SPEAKER TIME", "falseAlarm", "FALARM SPEAKER TIME", "confusion", "SPEAKER ERROR TIME");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (double collar : new double[]{0.0, 0.25}) {
            out.add(Arguments.of("union", null, DefaultRegion.UNION, collar));
            out.add(Arguments.of("nouem", null, DefaultRegion.REF, collar));
            out.add(Arguments.of("partial", "partial.uem", DefaultRegion.UNION, collar));
        }
        return out.stream();
    }

    /** {file or ALL: {total, missed, falseAlarm, confusion, der(%)}} from md-eval's report. */
    static Map<String, Map<String, Double>> parseMdEval(String text) {
        Map<String, Map<String, Double>> out = new HashMap<>();
        String[] blocks = text.split("\\*\\*\\* Performance analysis for Speaker Diarization for ");
        for (int i = 1; i < blocks.length; i++) {
            String b = blocks[i];
            String name = b.substring(0, b.indexOf(" ***")).strip();
            name = name.startsWith("f=") ? name.substring(2) : name;
            Map<String, Double> d = new HashMap<>();
            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                Matcher m = Pattern.compile(Pattern.quote(k.getValue()) + " =\\s*([\\d.]+)").matcher(b);
                assertTrue(m.find(), k.getValue());
                d.put(k.getKey(), Double.parseDouble(m.group(1)));
            }
            Matcher m = Pattern.compile("DIARIZATION ERROR = ([\\d.]+) percent").matcher(b);
            assertTrue(m.find());
            d.put("der", Double.parseDouble(m.group(1)));
            out.put(name, d);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} collar {3}")
    @MethodSource("cases")
    void matchesMdEval22(String name, String uemFile, DefaultRegion region, double collar) throws Exception {
        String c = collar == 0 ? "0" : "0.25";
        Map<String, Map<String, Double>> expected = parseMdEval(Files.readString(FIX.resolve("md-eval_" + name + "_c" + c + ".txt")));
        assertEquals(java.util.Set.of("FILE1", "FILE2", "ALL"), expected.keySet());
        var ref = Rttm.read(FIX.resolve("ref.rttm"));
        var hyp = Rttm.read(FIX.resolve("sys.rttm"));
        var uem = uemFile == null ? null : Uem.read(List.of(FIX.resolve(uemFile)));
        var scores = DiarizationScorer.scoreFiles(ref, hyp, collar, uem, region);
        Map<String, DerResult> got = new HashMap<>(scores.perFile());
        got.put("ALL", scores.total());
        for (var e : expected.entrySet()) {
            DerResult r = got.get(e.getKey());
            String where = name + " c" + c + " " + e.getKey();
            // md-eval prints times and DER with 2 decimals
            assertEquals(e.getValue().get("der"), 100 * r.der(), 0.0051, where + " DER");
            assertEquals(e.getValue().get("total"), r.total(), 0.0051, where + " total");
            assertEquals(e.getValue().get("missed"), r.missed(), 0.0051, where + " missed");
            assertEquals(e.getValue().get("falseAlarm"), r.falseAlarm(), 0.0051, where + " false alarm");
            assertEquals(e.getValue().get("confusion"), r.confusion(), 0.0051, where + " confusion");
        }
    }

    @Test
    void unionUemIsTheDefaultRegion() throws Exception {
        var ref = Rttm.read(FIX.resolve("ref.rttm"));
        var hyp = Rttm.read(FIX.resolve("sys.rttm"));
        var uem = Uem.read(List.of(FIX.resolve("union.uem")));
        for (String fid : ref.keySet()) {
            for (double c : new double[]{0, 0.25}) {
                double a = DiarizationScorer.score(ref.get(fid), hyp.get(fid), c, null, DefaultRegion.UNION).der();
                double b = DiarizationScorer.score(ref.get(fid), hyp.get(fid), c, uem.get(fid), DefaultRegion.UNION).der();
                assertEquals(a, b, 1e-9);
            }
        }
    }

    @Test
    void relabellingAndShufflingChangeNothing() throws Exception {
        var ref = Rttm.read(FIX.resolve("ref.rttm"));
        var hyp = Rttm.read(FIX.resolve("sys.rttm"));
        Random rng = new Random(3);
        for (String fid : ref.keySet()) {
            List<SpeakerTurn> r2 = new ArrayList<>();
            for (SpeakerTurn t : ref.get(fid)) {
                r2.add(new SpeakerTurn(t.start(), t.end(), "R-" + t.speaker().hashCode()));
            }
            List<SpeakerTurn> h2 = new ArrayList<>();
            for (SpeakerTurn t : hyp.get(fid)) {
                h2.add(new SpeakerTurn(t.start(), t.end(), "zz" + t.speaker()));
            }
            java.util.Collections.shuffle(r2, rng);
            java.util.Collections.shuffle(h2, rng);
            for (double c : new double[]{0, 0.25}) {
                DerResult a = DiarizationScorer.score(ref.get(fid), hyp.get(fid), c, null, DefaultRegion.UNION);
                DerResult b = DiarizationScorer.score(r2, h2, c, null, DefaultRegion.UNION);
                assertEquals(a.der(), b.der(), 1e-12);
                assertEquals(a.confusion(), b.confusion(), 1e-9);
            }
            assertEquals(DiarizationScorer.jer(ref.get(fid), hyp.get(fid), null, DefaultRegion.UNION).jer(),
                    DiarizationScorer.jer(r2, h2, null, DefaultRegion.UNION).jer(), 1e-12);
        }
    }

    @Test
    void jerPoolsReferenceSpeakersOfAllFiles() throws Exception {
        var ref = Rttm.read(FIX.resolve("ref.rttm"));
        var hyp = Rttm.read(FIX.resolve("sys.rttm"));
        var s = DiarizationScorer.jerFiles(ref, hyp, null, DefaultRegion.UNION);
        List<Double> all = new ArrayList<>();
        s.perFile().values().forEach(r -> all.addAll(r.speakerErrors().values()));
        assertEquals(5, all.size());
        assertEquals(all.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), s.total().jer(), 1e-12);
        double meanOfFiles = s.perFile().values().stream().mapToDouble(JerResult::jer).average().orElseThrow();
        assertTrue(Math.abs(meanOfFiles - s.total().jer()) > 1e-3);
    }
}
