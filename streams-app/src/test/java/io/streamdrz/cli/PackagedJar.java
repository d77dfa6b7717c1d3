package io.streamdrz.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the packaged {@code streamdrz.jar} in its own JVM, as a user would, for the ITs. */
final class PackagedJar {

    static final Path JAR = Path.of(System.getProperty("streamdrz.jar", "target/streamdrz.jar"));

    private PackagedJar() {
    }

    /** {@code java -jar streamdrz.jar args...}; fails the test if it outlives {@code timeout}. */
    static Result run(Duration timeout, String... args) throws IOException, InterruptedException {
        return runIn(Path.of(""), timeout, args);
    }

    /** The same, with {@code workingDir} as the current directory. */
    static Result runIn(Path workingDir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        // stderr to a file: a full pipe buffer would block the child while we read stdout
        Path err = Files.createTempFile("streamdrz-jar", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(workingDir.toAbsolutePath().toFile())
                    .redirectError(err.toFile()).start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    "java -jar " + String.join(" ", args) + " did not finish in " + timeout);
            return new Result(process.exitValue(), stdout, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    record Result(int exit, String stdout, String stderr) {
    }
}
