package io.streamdrz.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar diarizes and scores on its own: ONNX Runtime's native library,
 * TarsosDSP and Jackson survived shading. Runs after {@code package}.
 */
class DiarizeJarIT {

    private static final Path ROOT = Path.of(System.getProperty("streamdrz.repoRoot", ".."));
    private static final Path FIXTURES = ROOT.resolve("streams-app/src/test/resources/model-fixtures");

    @TempDir
    Path dir;

    @Test
    void diarizeThenEval() throws Exception {
        Path hyp = dir.resolve("hyp.rttm");
        PackagedJar.Result d = PackagedJar.run(Duration.ofSeconds(120), "diarize", "--model", ROOT.resolve("models/shipped/streamdrz").toString(),
                "-o", hyp.toString(), FIXTURES.resolve("call-0.wav").toString());
        assertEquals(0, d.exit(), d.toString());
        assertTrue(d.stderr().contains("real-time factor"), d.toString());
        String rttm = Files.readString(hyp);
        assertTrue(rttm.isEmpty() || rttm.startsWith("SPEAKER call-0 1 "), rttm);

        PackagedJar.Result e = PackagedJar.run(Duration.ofSeconds(120), "eval", "--ref", FIXTURES.resolve("call-0.hyp.rttm").toString(),
                "--hyp", hyp.toString(), "--json", "-");
        assertEquals(0, e.exit(), e.toString());
        assertTrue(e.stdout().contains("\"total\""), e.toString());
    }

    /** Run outside the checkout without --model, diarize finds the checkout's model from the jar, as run and demo do. */
    @Test
    void diarizeFindsTheModelFromAnyDirectory() throws Exception {
        Path hyp = dir.resolve("hyp.rttm");
        PackagedJar.Result d = PackagedJar.runIn(dir, Duration.ofSeconds(120), "diarize", "-o", hyp.toString(),
                FIXTURES.resolve("call-0.wav").toAbsolutePath().toString());
        assertEquals(0, d.exit(), d.toString());
        assertTrue(Files.readString(hyp).startsWith("SPEAKER call-0 1 "), d.toString());
    }

}
