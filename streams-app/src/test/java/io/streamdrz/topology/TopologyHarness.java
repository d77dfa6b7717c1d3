package io.streamdrz.topology;

import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.schema.SpeakerSegmentSerde;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;

/** The topology in a {@link TopologyTestDriver} with the {@link FakeInference}, and its topics. */
final class TopologyHarness implements AutoCloseable {

    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    final TopologyConfig config;
    final FakeInference inference;
    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> audioIn;
    final TestOutputTopic<String, SpeakerSegment> segmentsOut;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    /** The live topic (provisional segments); empty unless built with live labels on. */
    final TestOutputTopic<String, SpeakerSegment> segmentsLive;
    /** The revised topic (each call's segments once more at its end); empty with revised labels off. */
    final TestOutputTopic<String, SpeakerSegment> segmentsRevised;
    private long timestamp = START.toEpochMilli();

    TopologyHarness(TopologyConfig config, FakeInference inference, Path stateDir) {
        this(config, inference, inference, stateDir);
    }

    /** With any engine; {@link #inference} is then the fake one, or null. */
    TopologyHarness(TopologyConfig config, FakeInference fake, ChunkInference engine, Path stateDir) {
        this(config, fake, engine, stateDir, Stores::persistentKeyValueStore);
    }

    /** With stores of another kind (in-memory ones for many thousand records). */
    TopologyHarness(TopologyConfig config, FakeInference fake, ChunkInference engine, Path stateDir,
                    Function<String, KeyValueBytesStoreSupplier> stores) {
        this(config, fake, engine, stateDir, LiveConfig.OFF, stores);
    }

    /** With live labels as {@code live} says. */
    TopologyHarness(TopologyConfig config, FakeInference fake, ChunkInference engine, Path stateDir, LiveConfig live) {
        this(config, fake, engine, stateDir, live, Stores::persistentKeyValueStore);
    }

    private TopologyHarness(TopologyConfig config, FakeInference fake, ChunkInference engine, Path stateDir,
                            LiveConfig live, Function<String, KeyValueBytesStoreSupplier> stores) {
        this.config = config;
        this.inference = fake;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamdrz-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put("processing.exception.handler.global.enabled", "true");
        driver = new TopologyTestDriver(DiarizationTopology.build(config, engine, IdentificationConfig.NONE, live,
                stores), props, START);
        audioIn = driver.createInputTopic(config.audioInTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        segmentsOut = driver.createOutputTopic(config.segmentsOutTopic(), new StringDeserializer(),
                new SpeakerSegmentSerde());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        segmentsLive = driver.createOutputTopic(live.topic(), new StringDeserializer(), new SpeakerSegmentSerde());
        segmentsRevised = driver.createOutputTopic(config.revised() ? config.segmentsRevisedTopic() : "segments-revised",
                new StringDeserializer(), new SpeakerSegmentSerde());
    }

    /** The default configuration with 1 s chunks. */
    static TopologyHarness standard(Path stateDir) {
        return new TopologyHarness(TopologyConfig.builder().build(), new FakeInference(16_000), stateDir);
    }

    void send(AudioFrame frame) {
        send(frame.getCallId().getBytes(StandardCharsets.UTF_8), TestCalls.bytes(frame), new RecordHeaders());
    }

    void sendAll(List<AudioFrame> frames) {
        frames.forEach(this::send);
    }

    void send(byte[] key, byte[] value, Headers headers) {
        timestamp += 20;
        audioIn.pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(timestamp)));
    }

    /** Everything on segments-out so far, end-of-call records (null values) included. */
    List<TestRecord<String, SpeakerSegment>> output() {
        return segmentsOut.readRecordsToList();
    }

    List<TestRecord<byte[], byte[]>> deadLettered() {
        return deadLetters.readRecordsToList();
    }

    void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
    }

    <V> List<String> keys(String storeName) {
        KeyValueStore<Object, V> store = driver.getKeyValueStore(storeName);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<Object, V> all = store.all()) {
            all.forEachRemaining(kv -> keys.add(String.valueOf(kv.key)));
        }
        return keys;
    }

    double metric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("stream-streamdrz-metrics"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }

    @Override
    public void close() {
        driver.close();
    }
}
