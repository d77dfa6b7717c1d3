package io.streamdrz.client;

import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.schema.SpeakerSegmentSerde;
import io.streamdrz.topology.DiarizationTopology;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads segments-out, segments-live or both: every partition, read-committed (so a
 * segment from a transaction that was aborted, e.g. by a crash, is never seen), without
 * a consumer group. Hands each segment and each end-of-call record to a listener as it
 * arrives; from several topics, interleaved in the order the polls return them.
 */
public final class SegmentReader implements AutoCloseable {

    /** What arrives on segments-out (or segments-live). */
    public sealed interface Event permits Segment, CallEnded {
        String callId();

        /** The record timestamp: when the frame that completed the segment's chunk was produced. */
        long timestamp();
    }

    /** A segment, with when it was read. */
    public record Segment(String callId, SpeakerSegment segment, long timestamp, long readAtMs) implements Event {
    }

    /**
     * The end-of-call record: nothing more will come for the call on {@code topic}, named
     * so that a reader of several topics can tell which one ended.
     */
    public record CallEnded(String callId, String reason, long timestamp, long readAtMs, String topic)
            implements Event {
    }

    private final KafkaConsumer<String, SpeakerSegment> consumer;

    /** Reads one topic; see {@link #SegmentReader(Map, List, boolean)}. */
    public SegmentReader(Map<String, Object> consumerConfig, String topic, boolean fromBeginning) {
        this(consumerConfig, List.of(topic), fromBeginning);
    }

    /**
     * @param consumerConfig Kafka consumer settings (at least bootstrap.servers)
     * @param topics         every topic to read; each must exist
     * @param fromBeginning  start at the earliest segment, else at the end (what is written from now on)
     */
    public SegmentReader(Map<String, Object> consumerConfig, List<String> topics, boolean fromBeginning) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new SpeakerSegmentSerde());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);   // fix the positions now, not at the first poll
        }
    }

    /**
     * Reads until {@code listener} returns false or nothing arrives for {@code idleTimeout}
     * (null: no timeout).
     *
     * @return true if the listener stopped the reading, false on timeout
     */
    public boolean read(Predicate<Event> listener, Duration idleTimeout) {
        long lastNanos = System.nanoTime();
        try {
            while (true) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, SpeakerSegment> r : records) {
                    lastNanos = System.nanoTime();
                    Event event = r.value() != null ? new Segment(r.key(), r.value(), r.timestamp(), now)
                            : new CallEnded(r.key(), endReason(r), r.timestamp(), now, r.topic());
                    if (!listener.test(event)) {
                        return true;
                    }
                }
                if (idleTimeout != null && System.nanoTime() - lastNanos > idleTimeout.toNanos()) {
                    return false;
                }
            }
        } catch (WakeupException e) {
            return true;
        }
    }

    /** Makes a {@link #read} in another thread return. */
    public void wakeup() {
        consumer.wakeup();
    }

    private static String endReason(ConsumerRecord<String, SpeakerSegment> r) {
        Header header = r.headers().lastHeader(DiarizationTopology.CALL_END_HEADER);
        return header == null ? "UNKNOWN" : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
