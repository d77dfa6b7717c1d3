package io.streamdrz.app;

import io.streamdrz.cli.StreamdrzCommand;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@code run} starts and stops: missing topics, and leaving the group so a restart is ready at once. */
@ExtendWith(EmbeddedKafkaExtension.class)
class RunLifecycleIT {

    @TempDir
    Path dir;

    @Test
    void missingTopicsAreOneLineThatNamesThemAndTheFix(EmbeddedKafka kafka) {
        kafka.createTopic("lc-audio-in", 1);
        StringWriter err = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute("run", "--bootstrap-server", kafka.bootstrapServers(),
                "--model", ModelFixtures.modelPrefix().toString(),
                "--set", "streamdrz.topic.audio.in=lc-audio-in", "--set", "streamdrz.topic.segments.out=lc-out",
                "--set", "streamdrz.topic.dead.letter=lc-dlq", "--set", "streamdrz.topic.segments.live=lc-live",
                "--set", "streamdrz.topic.segments.revised=lc-revised",
                "--set", "streamdrz.metrics.port=-1",
                "--set", "state.dir=" + dir.resolve("state"));
        assertEquals(1, exit, err.toString());
        String message = err.toString().strip();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.startsWith("streamdrz run: missing topics lc-out, lc-dlq, lc-revised at "), message);
        assertTrue(message.contains("--create-topics"), message);
    }

    @Test
    void aStoppedAppLeavesItsGroupSoItsPartitionsAreFreeAtOnce(EmbeddedKafka kafka) throws Exception {
        StreamdrzConfig config = StreamdrzConfig.of(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "application.id", "lc-leave",
                "state.dir", dir.resolve("state").toString(),
                StreamdrzConfig.TOPICS_CREATE, "true",
                StreamdrzConfig.TOPICS_PARTITIONS, "1",
                "streamdrz.topic.audio.in", "lc2-audio-in",
                "streamdrz.topic.segments.out", "lc2-out",
                "streamdrz.topic.dead.letter", "lc2-dlq",
                StreamdrzConfig.MODEL_PATH, ModelFixtures.modelPrefix().toString()));
        try (DiarizationEngine engine = DiarizationEngine.load(config)) {
            try (DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
                assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "state " + app.state());
                assertEquals(1, members(kafka, "lc-leave"));
            }
            // Without leaving, the member would stay until its session timed out (45 s).
            assertEquals(0, members(kafka, "lc-leave"));
        }
    }

    private static int members(EmbeddedKafka kafka, String group) throws Exception {
        try (Admin admin = kafka.admin()) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(30, TimeUnit.SECONDS).get(group);
            return description.members().size();
        }
    }
}
