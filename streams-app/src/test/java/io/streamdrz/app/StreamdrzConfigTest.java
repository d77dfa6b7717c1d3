package io.streamdrz.app;

import io.streamdrz.inference.ModelOptions;
import io.streamdrz.topology.DeadLetterProcessingExceptionHandler;
import io.streamdrz.topology.LiveConfig;
import io.streamdrz.topology.TopologyConfig;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamdrzConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        StreamdrzConfig config = StreamdrzConfig.of(Map.of());
        assertEquals("audio-in", config.audioInTopic());
        assertEquals("segments-out", config.segmentsOutTopic());
        assertEquals("segments-live", config.segmentsLiveTopic());
        assertEquals("audio-in-dlq", config.deadLetterTopic());
        assertFalse(config.createTopics());
        assertEquals(TopologyConfig.builder().build(), config.topologyConfig());
        Properties streams = config.streamsProperties();
        assertEquals("exactly_once_v2", streams.get("processing.guarantee"));
        assertEquals("streamdrz", streams.get("application.id"));
        assertEquals("localhost:9092", streams.get("bootstrap.servers"));
        ModelOptions model = config.modelOptions();
        assertEquals(Path.of("models/shipped/streamdrz"), model.prefix());
        assertEquals(ModelOptions.Device.CPU, model.device());
        assertEquals(1, model.intraOpThreads());
        assertEquals(0, config.callMaxSpeakers());
    }

    @Test
    void fileThenEnvironmentThenFlags() throws IOException {
        Path file = dir.resolve("streamdrz.properties");
        Files.writeString(file, String.join("\n",
                "bootstrap.servers=file:9092",
                "num.stream.threads=3",
                "streamdrz.topic.audio.in=calls",
                "streamdrz.frames.reorder.window=4",
                "streamdrz.model.device=cuda"), StandardCharsets.UTF_8);
        Map<String, String> env = Map.of(
                "STREAMDRZ_BOOTSTRAP_SERVERS", "env:9092",
                "STREAMDRZ_FRAMES_REORDER_WINDOW", "5",
                "STREAMDRZ_MODEL_THREADS", "2",
                "HOME", "/root");
        StreamdrzConfig config = StreamdrzConfig.load(file, env, Map.of("streamdrz.frames.reorder.window", "6"));
        assertEquals("env:9092", config.bootstrapServers(), "environment over file");
        assertEquals("3", config.streamsProperties().get("num.stream.threads"), "Kafka settings pass through");
        assertEquals("calls", config.audioInTopic());
        assertEquals(6, config.topologyConfig().reorderWindow(), "flags over environment");
        assertEquals(ModelOptions.Device.CUDA, config.modelOptions().device());
        assertEquals(2, config.modelOptions().intraOpThreads());
        assertFalse(config.streamsProperties().containsKey("streamdrz.topic.audio.in"), "ours stay ours");
        assertFalse(config.streamsProperties().containsKey("home"));
    }

    @Test
    void environmentVariableNames() {
        assertEquals("bootstrap.servers", StreamdrzConfig.keyOfEnvironmentVariable("STREAMDRZ_BOOTSTRAP_SERVERS"));
        assertEquals("streamdrz.model.device", StreamdrzConfig.keyOfEnvironmentVariable("STREAMDRZ_MODEL_DEVICE"));
        assertEquals("streamdrz.topic.audio.in", StreamdrzConfig.keyOfEnvironmentVariable("STREAMDRZ_TOPIC_AUDIO_IN"));
        assertEquals("streamdrz.model.path", StreamdrzConfig.keyOfEnvironmentVariable("STREAMDRZ_STREAMDRZ_MODEL_PATH"));
        assertEquals("some_key.with-dash", StreamdrzConfig.keyOfEnvironmentVariable("STREAMDRZ_SOME__KEY_WITH___DASH"));
    }

    @Test
    void securitySettingsComeFromTheEnvironmentAndReachEveryClient() {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" password=\"s3cr3t\";";
        Map<String, String> env = Map.of(
                "STREAMDRZ_SECURITY_PROTOCOL", "SASL_SSL",
                "STREAMDRZ_SASL_MECHANISM", "SCRAM-SHA-512",
                "STREAMDRZ_SASL_JAAS_CONFIG", jaas,
                "STREAMDRZ_SSL_TRUSTSTORE_LOCATION", "/etc/streamdrz/truststore.p12",
                "STREAMDRZ_SSL_TRUSTSTORE_PASSWORD", "trust-pw",
                "STREAMDRZ_SSL_KEYSTORE_PASSWORD", "key-pw",
                "STREAMDRZ_SSL_KEY_PASSWORD", "pk-pw",
                "STREAMDRZ_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "");
        StreamdrzConfig config = StreamdrzConfig.load(null, env, Map.of());
        for (Map<?, ?> client : new Map<?, ?>[] {config.streamsProperties(), config.producerProperties(),
                config.consumerProperties(), config.adminProperties()}) {
            assertEquals("SASL_SSL", client.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", client.get("sasl.mechanism"));
            assertEquals(jaas, client.get("sasl.jaas.config"));
            assertEquals("/etc/streamdrz/truststore.p12", client.get("ssl.truststore.location"));
            assertEquals("trust-pw", client.get("ssl.truststore.password"));
            assertEquals("", client.get("ssl.endpoint.identification.algorithm"));
        }
    }

    @Test
    void theConfigurationAsLoggedHidesSecrets() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t\";";
        StreamdrzConfig config = StreamdrzConfig.of(Map.of(
                "sasl.jaas.config", jaas,
                "ssl.truststore.password", "trust-pw",
                "ssl.keystore.password", "key-pw",
                "ssl.key.password", "pk-pw",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "sasl.oauthbearer.client.credentials.client.secret", "oauth-secret",
                "basic.auth.user.info", "u:pw",
                "security.protocol", "SASL_SSL",
                "num.stream.threads", "2"));
        String shown = config.describe().toString();
        for (String secret : new String[] {"s3cr3t", "trust-pw", "key-pw", "pk-pw", "PRIVATE KEY", "oauth-secret", "u:pw"}) {
            assertFalse(shown.contains(secret), secret + " shown in " + shown);
        }
        assertEquals(StreamdrzConfig.HIDDEN, config.describe().get("sasl.jaas.config"));
        assertEquals("SASL_SSL", config.describe().get("security.protocol"), "the rest stays readable");
        assertEquals("2", config.describe().get("num.stream.threads"));
        assertEquals("localhost:9092", config.describe().get("bootstrap.servers"));
        assertFalse(StreamdrzConfig.isSecret("sasl.login.refresh.buffer.seconds"));
    }

    @Test
    void metricsPort() {
        assertEquals(9404, StreamdrzConfig.of(Map.of()).metricsPort());
        assertEquals(-1, StreamdrzConfig.load(null, Map.of("STREAMDRZ_METRICS_PORT", "-1"), Map.of()).metricsPort());
        assertThrows(ConfigException.class, () -> StreamdrzConfig.of(Map.of("streamdrz.metrics.port", "-2")));
    }

    @Test
    void kafkaStreamsGetsOurDeadLetterTopicForItsExceptionHandlers() {
        Properties props = StreamdrzConfig.of(Map.of(StreamdrzConfig.TOPIC_DEAD_LETTER, "dlq-2")).streamsProperties();
        assertEquals("dlq-2", props.get(DeadLetterProcessingExceptionHandler.TOPIC_CONFIG));
        assertEquals(DeadLetterProcessingExceptionHandler.class.getName(),
                props.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals("1", props.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG));
    }

    @Test
    void clientsGetOnlyTheSettingsTheyKnow() {
        StreamdrzConfig config = StreamdrzConfig.of(Map.of("num.stream.threads", "2", "acks", "all",
                "isolation.level", "read_committed", "bootstrap.servers", "k:1"));
        assertEquals(Map.of("bootstrap.servers", "k:1", "acks", "all"), config.producerProperties());
        // The group settings of the defaults are consumer settings too: consume's group fails over as fast.
        assertEquals(Map.of("bootstrap.servers", "k:1", "isolation.level", "read_committed",
                "session.timeout.ms", "6000", "heartbeat.interval.ms", "1500"), config.consumerProperties());
        assertTrue(config.adminProperties().containsKey("bootstrap.servers"));
    }

    @Test
    void invalidValuesFailWithTheKeyNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> StreamdrzConfig.of(Map.of("streamdrz.model.device", "tpu")));
        assertTrue(e.getMessage().contains("streamdrz.model.device"), e.getMessage());
        assertThrows(ConfigException.class, () -> StreamdrzConfig.of(Map.of("streamdrz.frames.reorder.window", "-1")));
        assertThrows(ConfigException.class, () -> StreamdrzConfig.of(Map.of("streamdrz.limits.call.max.ms", "x")));
        assertThrows(ConfigException.class, () -> StreamdrzConfig.of(Map.of("streamdrz.call.max.speakers", "-1")));
        assertEquals(2, StreamdrzConfig.load(null, Map.of("STREAMDRZ_CALL_MAX_SPEAKERS", "2"), Map.of()).callMaxSpeakers());
        assertThrows(ConfigException.class, () -> StreamdrzConfig.load(dir.resolve("missing.properties"), Map.of(), Map.of()));
    }

    @Test
    void liveSettingsReachTheLiveConfigAndTheAppsTopics() {
        StreamdrzConfig on = StreamdrzConfig.of(Map.of("streamdrz.topic.segments.live", "calls-live",
                "streamdrz.live.enabled", "true", "streamdrz.live.hop.ms", "750"));
        assertEquals(LiveConfig.every(Duration.ofMillis(750), "calls-live"), on.liveConfig());
        assertEquals(List.of("audio-in", "segments-out", "audio-in-dlq", "calls-live", "segments-revised"),
                on.appTopics());
        StreamdrzConfig off = StreamdrzConfig.of(Map.of("streamdrz.live.hop.ms", "500"));
        assertEquals(false, off.liveConfig().enabled());
        assertEquals(List.of("audio-in", "segments-out", "audio-in-dlq", "segments-revised"), off.appTopics());
    }

    @Test
    void revisedLabelsAreOnByDefaultAndTheirSettingsReachTheTopologyAndTheAppsTopics() {
        StreamdrzConfig byDefault = StreamdrzConfig.of(Map.of());
        assertEquals("segments-revised", byDefault.topologyConfig().segmentsRevisedTopic());
        StreamdrzConfig named = StreamdrzConfig.of(Map.of("streamdrz.topic.segments.revised", "calls-revised"));
        assertEquals("calls-revised", named.topologyConfig().segmentsRevisedTopic());
        assertEquals(List.of("audio-in", "segments-out", "audio-in-dlq", "calls-revised"), named.appTopics());
        StreamdrzConfig off = StreamdrzConfig.of(Map.of("streamdrz.revised.enabled", "false",
                "streamdrz.topic.segments.revised", "calls-revised"));
        assertFalse(off.topologyConfig().revised());
        assertEquals(List.of("audio-in", "segments-out", "audio-in-dlq"), off.appTopics());
    }

    @Test
    void topologySettingsReachTheTopology() {
        TopologyConfig t = StreamdrzConfig.of(Map.of(
                "streamdrz.frames.gap.fill.max.ms", "500",
                "streamdrz.call.idle.timeout.ms", "7000",
                "streamdrz.limits.frame.max.bytes", "1000",
                "streamdrz.limits.buffer.max.ms", "20000")).topologyConfig();
        assertEquals(Duration.ofMillis(500), t.gapFillMax());
        assertEquals(Duration.ofSeconds(7), t.idleTimeout());
        assertEquals(1000, t.frameMaxBytes());
        assertEquals(Duration.ofSeconds(20), t.bufferMax());
    }

    /** The configuration table of docs/USAGE.md is the documentation: every key, with its default. */
    @Test
    void theUsagePageDocumentsEveryKeyWithItsDefault() throws IOException {
        Path readme = repoRoot().resolve("docs/USAGE.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        ConfigDef definition = StreamdrzConfig.definition();
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            String defaultValue = String.valueOf(key.defaultValue);
            String row = "| `" + key.name + "` | `" + defaultValue + "` |";
            assertTrue(text.contains(row), "docs/USAGE.md lacks the row starting " + row);
        }
        java.util.regex.Matcher rows = java.util.regex.Pattern.compile("(?m)^\\| `(streamdrz\\.[^`]+)` \\|")
                .matcher(text);
        int documented = 0;
        while (rows.find()) {
            assertTrue(definition.names().contains(rows.group(1)), "docs/USAGE.md documents " + rows.group(1)
                    + ", which nothing reads");
            documented++;
        }
        assertEquals(definition.names().size(), documented, "one docs/USAGE.md row per key");
        for (Map.Entry<String, String> e : StreamdrzConfig.KAFKA_DEFAULTS.entrySet()) {
            assertTrue(text.contains("| `" + e.getKey() + "` | `" + e.getValue() + "` |"),
                    "docs/USAGE.md lacks the Kafka default " + e.getKey());
        }
    }

    static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isRegularFile(here.resolve("README.md")) && Files.isDirectory(here.resolve("models"))
                ? here : here.getParent();
    }
}
