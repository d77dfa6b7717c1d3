package io.streamdrz.app;

import io.streamdrz.inference.ModelOptions;
import io.streamdrz.metrics.CommittedLag;
import io.streamdrz.metrics.MetricsServer;
import io.streamdrz.topology.DeadLetterProcessingExceptionHandler;
import io.streamdrz.topology.LiveConfig;
import io.streamdrz.topology.TopologyConfig;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The configuration of every streamdrz command that talks to Kafka: Kafka's own
 * client and Streams settings, which pass through unchanged, and ours, all named
 * {@code streamdrz.*} in Kafka's style.
 *
 * <p>Where values come from, later ones winning:
 * <ol>
 *   <li>the defaults below (for Kafka settings: {@link #KAFKA_DEFAULTS}, then Kafka's own);</li>
 *   <li>a properties file ({@code --config FILE});</li>
 *   <li>environment variables {@code STREAMDRZ_*} (see {@link #fromEnvironment});</li>
 *   <li>command-line flags ({@code --set KEY=VALUE} and the named flags of each command).</li>
 * </ol>
 */
public final class StreamdrzConfig extends AbstractConfig {

    public static final String PREFIX = "streamdrz.";
    /** Prefix of the environment variables that set configuration. */
    public static final String ENV_PREFIX = "STREAMDRZ_";

    public static final String TOPIC_AUDIO_IN = "streamdrz.topic.audio.in";
    public static final String TOPIC_SEGMENTS_OUT = "streamdrz.topic.segments.out";
    public static final String TOPIC_DEAD_LETTER = "streamdrz.topic.dead.letter";
    public static final String TOPIC_SEGMENTS_LIVE = "streamdrz.topic.segments.live";
    public static final String LIVE_ENABLED = "streamdrz.live.enabled";
    public static final String LIVE_HOP_MS = "streamdrz.live.hop.ms";
    public static final String TOPIC_SEGMENTS_REVISED = "streamdrz.topic.segments.revised";
    public static final String REVISED_ENABLED = "streamdrz.revised.enabled";
    public static final String TOPIC_SPEAKERS = "streamdrz.topic.speakers";
    public static final String SPEAKERS_THRESHOLD = "streamdrz.speakers.threshold";
    public static final String TOPICS_CREATE = "streamdrz.topics.create";
    public static final String TOPICS_PARTITIONS = "streamdrz.topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "streamdrz.topics.replication.factor";
    public static final String REORDER_WINDOW = "streamdrz.frames.reorder.window";
    public static final String GAP_FILL_MAX_MS = "streamdrz.frames.gap.fill.max.ms";
    public static final String IDLE_TIMEOUT_MS = "streamdrz.call.idle.timeout.ms";
    public static final String IDLE_CHECK_INTERVAL_MS = "streamdrz.call.idle.check.interval.ms";
    public static final String CLOSED_RETENTION_MS = "streamdrz.call.closed.retention.ms";
    public static final String CALL_MAX_SPEAKERS = "streamdrz.call.max.speakers";
    public static final String FRAME_MAX_BYTES = "streamdrz.limits.frame.max.bytes";
    public static final String CALL_MAX_MS = "streamdrz.limits.call.max.ms";
    public static final String BUFFER_MAX_MS = "streamdrz.limits.buffer.max.ms";
    public static final String MODEL_PATH = "streamdrz.model.path";
    public static final String MODEL_DEVICE = "streamdrz.model.device";
    public static final String MODEL_THREADS = "streamdrz.model.threads";
    public static final String MODEL_BATCH_MAX = "streamdrz.model.batch.max";
    public static final String MODEL_BATCH_WAIT_MS = "streamdrz.model.batch.wait.ms";
    public static final String METRICS_PORT = "streamdrz.metrics.port";
    public static final String METRICS_HOST = "streamdrz.metrics.host";
    public static final String HEALTH_STALL_MS = "streamdrz.health.stall.ms";

    /** What {@link #describe()} shows instead of a secret. */
    public static final String HIDDEN = "[hidden]";

    /**
     * Kafka settings whose default differs from Kafka's; each can still be overridden.
     * {@code processing.guarantee=exactly_once_v2} is what makes buffers, prompts and
     * segments advance together. A record that fails a processor goes to the dead-letter
     * topic instead of stopping the instance ({@link DeadLetterProcessingExceptionHandler}).
     * A dead instance's calls move within seconds, not Kafka's 45 s: the session timeout is
     * the broker's minimum (6 s), heartbeats (a background thread, so busy inference does
     * not delay them) every 1.5 s; and one standby replica per task keeps a warm copy of the
     * state elsewhere, so the survivor does not rebuild it from the changelog. RocksDB's
     * native memory is bounded for the whole instance ({@link BoundedRocksDbMemory}). The rest fit
     * a diarization app: a name, a local broker to start with, and the global
     * processing-exception switch (no global stores here) set so that Kafka does not warn.
     */
    public static final Map<String, String> KAFKA_DEFAULTS = Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG, "streamdrz",
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class.getName(),
            "processing.exception.handler.global.enabled", "true",
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500",
            StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1",
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());

    private static final TopologyConfig TOPOLOGY_DEFAULTS = TopologyConfig.builder().build();

    static final ConfigDef DEFINITION = new ConfigDef()
            .define(TOPIC_AUDIO_IN, Type.STRING, TOPOLOGY_DEFAULTS.audioInTopic(), new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic the AudioFrame records come from, keyed by call id.")
            .define(TOPIC_SEGMENTS_OUT, Type.STRING, TOPOLOGY_DEFAULTS.segmentsOutTopic(),
                    new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic the SpeakerSegment records go to, keyed by call id; a null value with header "
                            + "streamdrz.call.end ends each call.")
            .define(TOPIC_DEAD_LETTER, Type.STRING, TOPOLOGY_DEFAULTS.deadLetterTopic(),
                    new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic unusable audio-in records go to, unchanged, with streamdrz.dlq.* headers.")
            .define(TOPIC_SEGMENTS_LIVE, Type.STRING, LiveConfig.OFF.topic(), new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic the PROVISIONAL SpeakerSegment records of live labels go to, keyed by "
                            + "call id (only with streamdrz.live.enabled).")
            .define(LIVE_ENABLED, Type.BOOLEAN, LiveConfig.OFF.enabled(), Importance.MEDIUM,
                    "Live labels: provisional segments of each call's newest audio on the live topic, about a "
                            + "second after the audio, ahead of the final ones on segments-out. Off by default: "
                            + "it needs the live topic, and an instance keeps up with fewer calls "
                            + "(BENCHMARKS.md).")
            .define(LIVE_HOP_MS, Type.LONG, LiveConfig.OFF.hop().toMillis(), Range.atLeast(1), Importance.MEDIUM,
                    "Live labels: every this much new audio of a call, its newest chunk-length window is "
                            + "diarized and the new audio's labels go to the live topic.")
            .define(TOPIC_SEGMENTS_REVISED, Type.STRING, TOPOLOGY_DEFAULTS.segmentsRevisedTopic(),
                    new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic each call's REVISED SpeakerSegment records go to when it ends, keyed by call id, then "
                            + "the same end-of-call record as on segments-out (only with streamdrz.revised.enabled).")
            .define(REVISED_ENABLED, Type.BOOLEAN, TOPOLOGY_DEFAULTS.revised(), Importance.MEDIUM,
                    "Revised labels: when a call ends, all its segments once more on the revised topic, with "
                            + "labels decided over the whole call (the model's final pass, as streamdrz diarize "
                            + "gives whole files), which replace its segments on segments-out.")
            .define(TOPICS_CREATE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Create the app's topics at start-up if they do not exist (run and demo).")
            .define(TOPICS_PARTITIONS, Type.INT, 6, Range.atLeast(1), Importance.MEDIUM,
                    "Partitions of topics created by streamdrz.topics.create; the most app instances that share work.")
            .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
                    "Replication factor of topics created by streamdrz.topics.create; -1 takes the broker's default.")
            .define(REORDER_WINDOW, Type.INT, TOPOLOGY_DEFAULTS.reorderWindow(), Range.atLeast(0), Importance.MEDIUM,
                    "Frames of a call that may wait behind a missing one before it is declared lost.")
            .define(GAP_FILL_MAX_MS, Type.LONG, TOPOLOGY_DEFAULTS.gapFillMax().toMillis(), Range.atLeast(0),
                    Importance.MEDIUM, "Longest run of lost frames replaced by silence; a longer gap closes the call.")
            .define(IDLE_TIMEOUT_MS, Type.LONG, TOPOLOGY_DEFAULTS.idleTimeout().toMillis(), Range.atLeast(1),
                    Importance.MEDIUM, "A call with no frame for this long (wall clock) is finished.")
            .define(IDLE_CHECK_INTERVAL_MS, Type.LONG, TOPOLOGY_DEFAULTS.idleCheckInterval().toMillis(),
                    Range.atLeast(1), Importance.LOW, "How often idle calls are looked for.")
            .define(CLOSED_RETENTION_MS, Type.LONG, TOPOLOGY_DEFAULTS.closedRetention().toMillis(), Range.atLeast(0),
                    Importance.LOW, "How long a finished call is remembered so that its late frames are "
                            + "dead-lettered instead of starting a new call.")
            .define(CALL_MAX_SPEAKERS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "Most speakers a call is given labels for; 0: no limit. Once a call has that many, a voice "
                            + "that would be a new speaker goes to the known speaker it sounds most like. Set 2 "
                            + "for two-party calls: extra labels for one of the two voices are the commonest "
                            + "label error on long calls (see BENCHMARKS.md).")
            .define(TOPIC_SPEAKERS, Type.STRING, "speakers", Importance.MEDIUM,
                    "Compacted topic of enrolled voiceprints (streamdrz enroll), keyed by speaker id and read as a "
                            + "global table: segments of a call speaker whose voice matches one carry its id and "
                            + "name; a tombstone deletes the speaker. Empty, or a topic that does not exist at "
                            + "start-up: nobody is identified.")
            .define(SPEAKERS_THRESHOLD, Type.DOUBLE, null, StreamdrzConfig::cosineOrUnset,
                    Importance.LOW, "Cosine a call speaker's voice must reach with an enrolled voiceprint to take "
                            + "its name. Unset: the model's own (identify.threshold in its contract, chosen at 1 % "
                            + "false acceptance on validation voices, models/MODEL_CARD.md); higher names fewer "
                            + "callers, wrongly less often.")
            .define(FRAME_MAX_BYTES, Type.INT, TOPOLOGY_DEFAULTS.frameMaxBytes(), Range.atLeast(1), Importance.MEDIUM,
                    "Largest AudioFrame payload accepted.")
            .define(CALL_MAX_MS, Type.LONG, TOPOLOGY_DEFAULTS.callMax().toMillis(), Range.atLeast(1),
                    Importance.MEDIUM, "Longest call; the frame that would exceed it closes the call.")
            .define(BUFFER_MAX_MS, Type.LONG, TOPOLOGY_DEFAULTS.bufferMax().toMillis(), Range.atLeast(1),
                    Importance.MEDIUM, "Most audio one call may hold before inference (its unfinished chunk and "
                            + "frames waiting out of order); must exceed the model's chunk by a second.")
            .define(MODEL_PATH, Type.STRING, "models/shipped/streamdrz", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Model file prefix: PATH-encoder.onnx and PATH-decoder.onnx.")
            .define(MODEL_DEVICE, Type.STRING, "cpu", ValidString.in("cpu", "cuda"), Importance.MEDIUM,
                    "Where inference runs; cuda falls back to the CPU with a warning when unavailable.")
            .define(MODEL_THREADS, Type.INT, 1, Range.atLeast(0), Importance.MEDIUM,
                    "ONNX Runtime intra-op threads per model run; 0 lets it use every core. Stream threads "
                            + "(num.stream.threads) are the other dimension of parallelism.")
            .define(MODEL_BATCH_MAX, Type.INT, 8, Range.atLeast(1), Importance.LOW,
                    "Most chunks, from different calls, that one model run takes when stream threads ask at once.")
            .define(MODEL_BATCH_WAIT_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "How long a chunk may wait for others to share its model run; 0 batches only what is "
                            + "already waiting.")
            .define(METRICS_PORT, Type.INT, 9404, Range.between(-1, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoint with /metrics (Prometheus), /healthz and /readyz (run and demo); "
                            + "0 picks a free port (logged), -1 turns it off.")
            .define(METRICS_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Address the metrics endpoint listens on: loopback by default, as it has no authentication; "
                            + "0.0.0.0 for every interface (the container images set it, so probes and Prometheus "
                            + "reach it).")
            .define(HEALTH_STALL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                    "A stream thread that has not polled for this long is stuck on its records: /healthz fails "
                            + "and streamdrz_stream_threads_stalled counts it. Above the longest chunk inference.");

    private StreamdrzConfig(Map<String, ?> values) {
        super(DEFINITION, values, false);
    }

    /** The configuration of {@code values} (our keys and Kafka's) over the defaults. */
    public static StreamdrzConfig of(Map<String, ?> values) {
        Map<String, Object> all = new LinkedHashMap<>(KAFKA_DEFAULTS);
        all.putAll(values);
        return new StreamdrzConfig(all);
    }

    /**
     * Loads and layers the configuration: defaults, then {@code file} (may be null), then
     * the {@code STREAMDRZ_*} variables of {@code environment}, then {@code overrides}.
     *
     * @throws ConfigException if a value is invalid or the file cannot be read
     */
    public static StreamdrzConfig load(Path file, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (file != null) {
            values.putAll(readProperties(file));
        }
        values.putAll(fromEnvironment(environment));
        values.putAll(overrides);
        return of(values);
    }

    /**
     * Configuration from environment variables. A variable {@code STREAMDRZ_<NAME>} sets
     * the key made from {@code <NAME>} by lower-casing it and turning {@code _} into
     * {@code .} ({@code __} into {@code _} and {@code ___} into {@code -}, as Confluent's
     * images do for {@code KAFKA_}); if {@code streamdrz.} followed by that key is one of
     * ours, it sets ours. So {@code STREAMDRZ_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}
     * and {@code STREAMDRZ_MODEL_DEVICE} sets {@code streamdrz.model.device}.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> values = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                values.put(keyOfEnvironmentVariable(name), value);
            }
        });
        return values;
    }

    static String keyOfEnvironmentVariable(String name) {
        String key = name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
                .replace("___", "\u0000").replace("__", "\u0001").replace('_', '.')
                .replace('\u0000', '-').replace('\u0001', '_');
        return DEFINITION.names().contains(PREFIX + key) ? PREFIX + key : key;
    }

    private static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new ConfigException("cannot read the configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).strip()));
        return values;
    }

    /** Every key we define, for documentation and tests. */
    public static Set<String> keys() {
        return DEFINITION.names();
    }

    /** Our keys with their defaults and documentation, Kafka's way (for {@code --help} and docs/USAGE.md). */
    public static ConfigDef definition() {
        return DEFINITION;
    }

    /**
     * The Kafka settings (everything not {@code streamdrz.*}), for Kafka Streams, with the
     * dead-letter topic of its exception handlers set to ours unless given.
     */
    public Properties streamsProperties() {
        Properties props = new Properties();
        originals().forEach((k, v) -> {
            if (!k.startsWith(PREFIX)) {
                props.put(k, v);
            }
        });
        props.putIfAbsent(DeadLetterProcessingExceptionHandler.TOPIC_CONFIG, deadLetterTopic());
        return props;
    }

    /** The Kafka settings a producer knows, for {@code produce} and the demo's producer. */
    public Map<String, Object> producerProperties() {
        return only(ProducerConfig.configNames());
    }

    /** The Kafka settings a consumer knows, for {@code consume}. */
    public Map<String, Object> consumerProperties() {
        return only(ConsumerConfig.configNames());
    }

    /** The Kafka settings an admin client knows, for creating topics. */
    public Map<String, Object> adminProperties() {
        return only(AdminClientConfig.configNames());
    }

    private Map<String, Object> only(Set<String> names) {
        Map<String, Object> props = new LinkedHashMap<>();
        originals().forEach((k, v) -> {
            if (names.contains(k)) {
                props.put(k, v);
            }
        });
        return props;
    }

    public String bootstrapServers() {
        return String.valueOf(originals().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    public String applicationId() {
        return String.valueOf(originals().get(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    public String audioInTopic() {
        return getString(TOPIC_AUDIO_IN);
    }

    public String segmentsOutTopic() {
        return getString(TOPIC_SEGMENTS_OUT);
    }

    public String segmentsLiveTopic() {
        return liveConfig().topic();
    }

    public String deadLetterTopic() {
        return getString(TOPIC_DEAD_LETTER);
    }

    /** Where revised segments go, or null with revised labels off ({@code streamdrz.revised.*}). */
    public String segmentsRevisedTopic() {
        return getBoolean(REVISED_ENABLED) ? getString(TOPIC_SEGMENTS_REVISED) : null;
    }

    /** Live labels: their topic and hop ({@code streamdrz.live.*}). */
    public LiveConfig liveConfig() {
        return new LiveConfig(getBoolean(LIVE_ENABLED), getString(TOPIC_SEGMENTS_LIVE),
                Duration.ofMillis(getLong(LIVE_HOP_MS)));
    }

    /**
     * The topics the app reads and writes (the live topic only with live labels on, the
     * revised one only with revised labels on), in that order.
     */
    public List<String> appTopics() {
        List<String> topics = new ArrayList<>(List.of(audioInTopic(), segmentsOutTopic(), deadLetterTopic()));
        if (liveConfig().enabled()) {
            topics.add(liveConfig().topic());
        }
        if (segmentsRevisedTopic() != null) {
            topics.add(segmentsRevisedTopic());
        }
        return topics;
    }

    public boolean createTopics() {
        return getBoolean(TOPICS_CREATE);
    }

    public int topicPartitions() {
        return getInt(TOPICS_PARTITIONS);
    }

    public short topicReplicationFactor() {
        return getShort(TOPICS_REPLICATION_FACTOR);
    }

    public int metricsPort() {
        return getInt(METRICS_PORT);
    }

    public String metricsHost() {
        return getString(METRICS_HOST);
    }

    public Duration healthStallLimit() {
        return Duration.ofMillis(getLong(HEALTH_STALL_MS));
    }

    /**
     * The metrics endpoint's settings, with the committed lag of the app's group on audio-in
     * (an admin client, closed with the endpoint).
     */
    public MetricsServer.Options metricsOptions() {
        return new MetricsServer.Options(metricsHost(), metricsPort(), healthStallLimit(),
                CommittedLag.start(adminProperties(), applicationId(), audioInTopic()));
    }

    /**
     * Every setting as given, for logging, with secrets replaced by {@value #HIDDEN}: Kafka
     * settings of type PASSWORD (e.g. {@code ssl.keystore.password}), {@code sasl.jaas.config},
     * and anything whose name says password, secret, credential, token or private key.
     */
    public Map<String, String> describe() {
        Map<String, String> shown = new java.util.TreeMap<>();
        originals().forEach((k, v) -> shown.put(k, isSecret(k) ? HIDDEN : String.valueOf(v)));
        return shown;
    }

    /** Whether the value of setting {@code key} must never be logged. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("credential")
                || k.contains("token") || k.endsWith(".key") || k.contains("private") || k.contains("user.info")) {
            return true;
        }
        for (ConfigDef def : List.of(StreamsConfig.configDef(), ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef())) {
            ConfigDef.ConfigKey known = def.configKeys().get(key);
            if (known != null && known.type == Type.PASSWORD) {
                return true;
            }
        }
        return false;
    }

    /** The speakers topic; empty: identification off. */
    public String speakersTopic() {
        return getString(TOPIC_SPEAKERS).strip();
    }

    /** The operator's identification threshold; null: the model's. */
    public Double speakersThreshold() {
        return getDouble(SPEAKERS_THRESHOLD);
    }

    private static void cosineOrUnset(String name, Object value) {
        if (value != null && !((Double) value > -1 && (Double) value < 1)) {
            throw new ConfigException(name, value, "must be a cosine in (-1, 1), or unset for the model's own");
        }
    }

    public int callMaxSpeakers() {
        return getInt(CALL_MAX_SPEAKERS);
    }

    public int batchMax() {
        return getInt(MODEL_BATCH_MAX);
    }

    public Duration batchWait() {
        return Duration.ofMillis(getLong(MODEL_BATCH_WAIT_MS));
    }

    /** The topology's part: topics and frame rules. */
    public TopologyConfig topologyConfig() {
        try {
            return TopologyConfig.builder()
                    .audioInTopic(audioInTopic())
                    .segmentsOutTopic(segmentsOutTopic())
                    .deadLetterTopic(deadLetterTopic())
                    .reorderWindow(getInt(REORDER_WINDOW))
                    .gapFillMax(Duration.ofMillis(getLong(GAP_FILL_MAX_MS)))
                    .idleTimeout(Duration.ofMillis(getLong(IDLE_TIMEOUT_MS)))
                    .idleCheckInterval(Duration.ofMillis(getLong(IDLE_CHECK_INTERVAL_MS)))
                    .closedRetention(Duration.ofMillis(getLong(CLOSED_RETENTION_MS)))
                    .frameMaxBytes(getInt(FRAME_MAX_BYTES))
                    .callMax(Duration.ofMillis(getLong(CALL_MAX_MS)))
                    .bufferMax(Duration.ofMillis(getLong(BUFFER_MAX_MS)))
                    .segmentsRevisedTopic(segmentsRevisedTopic())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** How to load the model. */
    public ModelOptions modelOptions() {
        return ModelOptions.builder()
                .prefix(Path.of(getString(MODEL_PATH)))
                .device(ModelOptions.Device.parse(getString(MODEL_DEVICE)))
                .intraOpThreads(getInt(MODEL_THREADS))
                .build();
    }

    /** Reads {@code file} if it is there: for tests and tools that want the file's values alone. */
    static Map<String, String> propertiesOf(Path file) {
        try {
            return readProperties(file);
        } catch (ConfigException e) {
            throw new UncheckedIOException(new IOException(e.getMessage()));
        }
    }
}
