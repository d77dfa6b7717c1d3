package io.streamdrz.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedded broker's own promises: it serves requests, keeps its defaults, and leaves nothing behind. */
class EmbeddedKafkaIT {

    @Test
    void startsCreatesTopicsAndDeletesItsFilesOnClose() throws Exception {
        Path directory;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            directory = kafka.directory();
            assertTrue(Files.isDirectory(directory));

            kafka.createTopic("segments-out", 4, Map.of("cleanup.policy", "compact"));
            try (Admin admin = kafka.admin()) {
                TopicDescription topic = admin.describeTopics(List.of("segments-out"))
                        .allTopicNames().get(30, TimeUnit.SECONDS).get("segments-out");
                assertEquals(4, topic.partitions().size());
            }

            // Topics are never created by accident: a misspelt topic must fail, not appear.
            try (Admin admin = kafka.admin()) {
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER,
                        admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString());
                Config config = admin.describeConfigs(List.of(broker)).all().get(30, TimeUnit.SECONDS).get(broker);
                assertEquals("false", config.get("auto.create.topics.enable").value());
                ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeTopics(
                        List.of("no-such-topic")).allTopicNames().get(30, TimeUnit.SECONDS));
                assertInstanceOf(UnknownTopicOrPartitionException.class, e.getCause());
            }
        }
        assertFalse(Files.exists(directory), "broker files left in " + directory);
    }
}
