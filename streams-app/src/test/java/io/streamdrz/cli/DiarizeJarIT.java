package io.streamdrz.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar diarizes and scores on its own: ONNX Runtime's native library,
 * TarsosDSP and Jackson survived shading. Runs after {@code package}.
 */
class DiarizeJarIT {

    private static final Path JAR = Path.of(System.getProperty("streamdrz.jar", "target/streamdrz.jar"));
    private static final Path ROOT = Path.of(System.getProperty("streamdrz.repoRoot", ".."));
    private static final Path FIXTURES = ROOT.resolve("streams-app/src/test/resources/model-fixtures");

    @TempDir
    Path dir;

    @Test
    void diarizeThenEval() throws Exception {
        Path hyp = dir.resolve("hyp.rttm");
        Result d = java("-jar", JAR.toString(), "diarize", "--model", ROOT.resolve("models/streamdrz").toString(),
                "-o", hyp.toString(), FIXTURES.resolve("call-0.wav").toString());
        assertEquals(0, d.exit(), d.toString());
        assertTrue(d.stderr().contains("real-time factor"), d.toString());
        String rttm = Files.readString(hyp);
        assertTrue(rttm.isEmpty() || rttm.startsWith("SPEAKER call-0 1 "), rttm);

        Result e = java("-jar", JAR.toString(), "eval", "--ref", FIXTURES.resolve("call-0.hyp.rttm").toString(),
                "--hyp", hyp.toString(), "--json", "-");
        assertEquals(0, e.exit(), e.toString());
        assertTrue(e.stdout().contains("\"total\""), e.toString());
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("streamdrz-jar", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "java -jar did not finish");
            return new Result(process.exitValue(), stdout, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }
}
