package io.streamdrz.kafka;

import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audio frames of several concurrent calls go through a real broker and come back
 * whole and in order per call, keyed by call id. The same test runs against the
 * in-process broker and against a broker in Docker; subclasses say which.
 *
 * <p>Writes and reads {@value #TOPIC}, created here with {@value #PARTITIONS} partitions.
 */
abstract class AudioInRoundTripContract {

    static final String TOPIC = "audio-in";
    static final int PARTITIONS = 6;
    static final int CALLS = 3;
    static final int FRAMES_PER_CALL = 200;
    static final int SAMPLES_PER_FRAME = 160; // 20 ms at 8 kHz

    /** {@code bootstrap.servers} of the broker under test. */
    abstract String bootstrapServers();

    @Test
    void framesOfConcurrentCallsArriveCompleteAndInOrderPerCall() throws Exception {
        createTopic();
        List<String> calls = new ArrayList<>();
        for (int call = 0; call < CALLS; call++) {
            calls.add("call-" + (char) ('a' + call));
        }

        produceConcurrently(calls);
        List<ConsumerRecord<String, AudioFrame>> records = consumeAll(CALLS * FRAMES_PER_CALL);

        assertEquals(CALLS * FRAMES_PER_CALL, records.size(), "frames read back");
        Map<String, List<ConsumerRecord<String, AudioFrame>>> byCall = records.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key, TreeMap::new, Collectors.toList()));
        assertEquals(Set.copyOf(calls), byCall.keySet());
        for (var entry : byCall.entrySet()) {
            String call = entry.getKey();
            List<ConsumerRecord<String, AudioFrame>> frames = entry.getValue();
            assertEquals(FRAMES_PER_CALL, frames.size(), call + ": frame count");
            assertEquals(1, frames.stream().map(ConsumerRecord::partition).distinct().count(),
                    call + ": one call, one partition");
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < frames.size(); i++) {
                AudioFrame frame = frames.get(i).value();
                assertEquals(call, frame.getCallId(), "key and value agree");
                assertTrue(frame.getSequenceNumber() > previous,
                        call + ": sequence " + frame.getSequenceNumber() + " after " + previous);
                previous = frame.getSequenceNumber();
                assertEquals(i == frames.size() - 1, frame.getEndOfStream(), call + ": only the last frame ends the call");
                assertEquals(payload(call, frame.getSequenceNumber()), frame.getPayload(), call + ": payload intact");
            }
        }
    }

    private void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** One producer thread per call, all started together, so the calls' frames interleave on the broker. */
    private void produceConcurrently(List<String> calls) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true); // retries cannot reorder a call's frames
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch start = new CountDownLatch(1);
        try (KafkaProducer<String, AudioFrame> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new AudioFrameSerde())) {
            List<Future<?>> sent = new ArrayList<>();
            for (String call : calls) {
                sent.add(pool.submit(() -> {
                    start.await();
                    long sequence = 1_000; // calls need not start at 0
                    for (int i = 0; i < FRAMES_PER_CALL; i++, sequence += 1 + (i % 3)) {
                        AudioFrame frame = AudioFrame.newBuilder()
                                .setCallId(call)
                                .setSequenceNumber(sequence)
                                .setSampleRate(8000)
                                .setChannels(1)
                                .setEncoding(AudioEncoding.PCM_S16LE)
                                .setPayload(payload(call, sequence))
                                .setEndOfStream(i == FRAMES_PER_CALL - 1)
                                .setProducerTimestampMs(System.currentTimeMillis())
                                .build();
                        producer.send(new ProducerRecord<>(TOPIC, call, frame));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
            producer.flush();
        } finally {
            pool.shutdownNow();
        }
    }

    private List<ConsumerRecord<String, AudioFrame>> consumeAll(int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, AudioFrame>> records = new ArrayList<>();
        try (KafkaConsumer<String, AudioFrame> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new AudioFrameSerde())) {
            // Assigning every partition avoids a consumer group: nothing here is about rebalancing.
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(TOPIC)) {
                partitions.add(new TopicPartition(TOPIC, info.partition()));
            }
            assertEquals(PARTITIONS, partitions.size());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            // One more poll: anything beyond the expected count is a duplicate and must fail the test.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /** Deterministic 20 ms of PCM per (call, sequence), so corruption or mix-ups show. */
    static ByteBuffer payload(String call, long sequence) {
        ByteBuffer pcm = ByteBuffer.allocate(SAMPLES_PER_FRAME * 2).order(ByteOrder.LITTLE_ENDIAN);
        long seed = call.hashCode() * 31L + sequence;
        for (int i = 0; i < SAMPLES_PER_FRAME; i++) {
            pcm.putShort((short) ((seed * 1_103_515_245L + i * 12_345L) >> 8));
        }
        return pcm.flip();
    }
}
