package io.streamdrz.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code streamdrz.jar} runs on its own: shading kept the main class,
 * the filtered version file and the libraries it needs. Runs after {@code package}.
 */
class StreamdrzJarIT {


    @Test
    void theJarPrintsHelpAndVersion() throws Exception {
        assertTrue(Files.isRegularFile(PackagedJar.JAR), PackagedJar.JAR + " was not built");

        PackagedJar.Result help = PackagedJar.run(Duration.ofSeconds(60), "--help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.stdout().contains("Usage: streamdrz"), help.toString());
        assertTrue(help.stdout().contains("Commands:"), help.toString());

        PackagedJar.Result version = PackagedJar.run(Duration.ofSeconds(60), "--version");
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.stdout().contains("Kafka 4.3.1"), version.toString());
        assertEquals("", version.stderr(), "nothing logged to stderr on --version: " + version);
    }

}
