package io.streamdrz.cli;

import io.streamdrz.inference.ModelFixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's operator walk-through, as four processes of the packaged jar: a broker of
 * its own ({@code broker}), the app ({@code run --create-topics}), a call sent
 * ({@code produce}) and its segments printed ({@code consume}). No Docker, no test kit:
 * only what an operator has.
 */
class OperatorWalkthroughIT {

    /** What a JVM stopped by SIGTERM exits with once its shutdown hooks are done: 128 + 15. */
    private static final int SIGTERM_EXIT = 143;

    @TempDir
    Path dir;

    @Test
    void brokerRunProduceConsume() throws Exception {
        int port = JarProcess.freePort();
        int controllerPort = JarProcess.freePort();
        String bootstrap = "localhost:" + port;
        Path call = dir.resolve("call-0.wav");
        Files.copy(ModelFixtures.file("call-0.wav"), call);
        try (JarProcess broker = JarProcess.start(dir, "broker", "--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort), "--data-dir", dir.resolve("kafka").toString());
             JarProcess app = JarProcess.start(dir, "run", "--bootstrap-server", bootstrap, "--create-topics",
                     "--model", ModelFixtures.modelPrefix().toString(),
                     "--set", "state.dir=" + dir.resolve("state"), "--set", "streamdrz.metrics.port=0")) {
            assertTrue(broker.awaitOutput("Kafka listening at " + bootstrap, Duration.ofMinutes(2)), broker.toString());
            assertTrue(app.awaitOutput("ready: stream threads running", Duration.ofMinutes(3)), app.toString());

            PackagedJar.Result produced = PackagedJar.run(Duration.ofMinutes(2), "produce", "--bootstrap-server",
                    bootstrap, call.toString());
            assertEquals(0, produced.exit(), produced.toString());
            PackagedJar.Result consumed = PackagedJar.run(Duration.ofMinutes(3), "consume", "--bootstrap-server",
                    bootstrap, "--from-beginning", "--calls", "1", "--timeout", "120000");
            assertEquals(0, consumed.exit(), consumed.toString());
            String[] rows = consumed.stdout().strip().split("\n");
            assertTrue(rows.length >= 2, consumed.toString());
            for (String row : rows) {
                assertTrue(row.startsWith("SPEAKER call-0 1 "), row);
            }

            assertEquals(SIGTERM_EXIT, app.terminate(), app.toString());
            assertTrue(app.stderr().contains("call call-0 started"), app.toString());
            assertTrue(app.stderr().contains("call call-0 ended (END_OF_STREAM): " + rows.length + " segments"),
                    app.toString());
            assertTrue(app.stderr().contains("stopped"), app.toString());
            assertEquals(SIGTERM_EXIT, broker.terminate(), broker.toString());
            assertTrue(broker.stdout().contains("streamdrz broker: stopped"), broker.toString());
        }
    }
}
