package io.streamdrz.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdrz.eval.DiarizationScorer.DefaultRegion;
import io.streamdrz.inference.ModelFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code streamdrz eval} and {@code models/der.py} write the same report for the same
 * input: every number (to 1e-9), every mapping, every key. Runs der.py with the
 * interpreter the build names ({@code -Dstreamdrz.python}, else models/.venv, else
 * python3), like the schema module's fastavro test; fails when it cannot.
 */
class DerPyAgreementTest {

    private static final Path ROOT = ModelFixtures.repoRoot();
    private static final Path FIX = ROOT.resolve("models/tests/fixtures/dscore");

    @TempDir
    Path dir;

    @Test
    void sameReportAsDerPy() throws Exception {
        var ref = Rttm.read(FIX.resolve("ref.rttm"));
        var hyp = Rttm.read(FIX.resolve("sys.rttm"));
        for (String uem : new String[]{null, "partial.uem"}) {
            Path out = dir.resolve("py-" + uem + ".json");
            List<String> args = new ArrayList<>(List.of(python(), ROOT.resolve("models/der.py").toString(),
                    "--ref", FIX.resolve("ref.rttm").toString(), "--hyp", FIX.resolve("sys.rttm").toString(),
                    "--json", out.toString()));
            if (uem != null) {
                args.addAll(List.of("--uem", FIX.resolve(uem).toString()));
            }
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "der.py did not finish");
            if (p.exitValue() != 0) {
                fail("models/der.py failed (exit " + p.exitValue() + "; is models/.venv set up? scripts/test.sh does it):\n" + log);
            }
            EvalReport java = EvalReport.evaluate(ref, hyp, uem == null ? null : Uem.read(List.of(FIX.resolve(uem))),
                    List.of(0.0, 0.25), DefaultRegion.UNION);
            ObjectMapper mapper = new ObjectMapper();
            compare(mapper.readTree(out.toFile()), mapper.readTree(java.toJsonString()), "uem=" + uem);
        }
    }

    private static void compare(JsonNode py, JsonNode java, String path) {
        if (py.isObject()) {
            assertTrue(java.isObject(), path);
            TreeSet<String> a = new TreeSet<>();
            py.fieldNames().forEachRemaining(a::add);
            TreeSet<String> b = new TreeSet<>();
            java.fieldNames().forEachRemaining(b::add);
            assertEquals(a, b, path);
            for (String key : a) {
                compare(py.get(key), java.get(key), path + "/" + key);
            }
        } else if (py.isArray()) {
            assertEquals(py.size(), java.size(), path);
            for (int i = 0; i < py.size(); i++) {
                compare(py.get(i), java.get(i), path + "[" + i + "]");
            }
        } else if (py.isNumber()) {
            assertEquals(py.asDouble(), java.asDouble(), 1e-9, path);
        } else {
            assertEquals(py.asText(), java.asText(), path);
        }
    }

    private static String python() {
        String configured = System.getProperty("streamdrz.python", "").strip();
        if (!configured.isEmpty()) {
            return configured;
        }
        Path venv = ROOT.resolve("models/.venv/bin/python");
        return Files.isExecutable(venv) ? venv.toString() : "python3";
    }
}
