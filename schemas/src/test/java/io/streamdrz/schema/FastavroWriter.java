package io.streamdrz.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@code src/test/python/write_single_object.py}: Python's fastavro writing a record
 * from an {@code .avsc} file alone, as a producer in another language would.
 *
 * <p>The interpreter is the system property {@code streamdrz.python} if set, else
 * {@code models/.venv/bin/python} under the repository root, else {@code python3}.
 * A missing interpreter or a missing fastavro fails the test: a skipped interop test
 * would look like a passing one.
 */
final class FastavroWriter {

    private static final Path SCRIPT = Path.of("src/test/python/write_single_object.py");
    private static final String HOW_TO_FIX = "run scripts/test.sh (it installs models/requirements.txt into"
            + " models/.venv) or pass -Dstreamdrz.python=/path/to/python with fastavro installed";

    private FastavroWriter() {
    }

    static byte[] write(Path avsc, String recordJson) throws IOException, InterruptedException {
        String python = python();
        Path stderr = Files.createTempFile("fastavro-writer", ".err");
        try {
            Process process;
            try {
                process = new ProcessBuilder(List.of(python, SCRIPT.toString(), avsc.toString(), recordJson))
                        .redirectError(stderr.toFile())
                        .start();
            } catch (IOException e) {
                return fail("cannot start Python interpreter '" + python + "' (" + e.getMessage() + "); " + HOW_TO_FIX);
            }
            byte[] bytes = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail("fastavro writer did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                return fail("fastavro writer failed with " + python + " (exit " + process.exitValue() + "): "
                        + Files.readString(stderr).strip() + "\n" + HOW_TO_FIX);
            }
            return bytes;
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    static String python() {
        String configured = System.getProperty("streamdrz.python", "").strip();
        if (!configured.isEmpty()) {
            return configured;
        }
        Path venvPython = repositoryRoot().resolve("models/.venv/bin/python");
        return Files.isExecutable(venvPython) ? venvPython.toString() : "python3";
    }

    private static Path repositoryRoot() {
        String configured = System.getProperty("streamdrz.repoRoot", "").strip();
        // Surefire runs in the module directory, one level below the root.
        return configured.isEmpty() ? Path.of("").toAbsolutePath().getParent() : Path.of(configured);
    }
}
