package io.streamdrz.cli;

import org.junit.jupiter.api.Test;

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
 * The packaged {@code streamdrz.jar} runs on its own: shading kept the main class,
 * the filtered version file and the libraries it needs. Runs after {@code package}.
 */
class StreamdrzJarIT {

    private static final Path JAR = Path.of(System.getProperty("streamdrz.jar", "target/streamdrz.jar"));

    @Test
    void theJarPrintsHelpAndVersion() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " was not built");

        Result help = java("-jar", JAR.toString(), "--help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.stdout().contains("Usage: streamdrz"), help.toString());
        assertTrue(help.stdout().contains("Commands:"), help.toString());

        Result version = java("-jar", JAR.toString(), "--version");
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.stdout().contains("Kafka 4.3.1"), version.toString());
        assertEquals("", version.stderr(), "nothing logged to stderr on --version: " + version);
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(javaBin.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("streamdrz-jar", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java -jar did not finish");
            return new Result(process.exitValue(), stdout, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }
}
