package io.streamdrz.client;

import io.streamdrz.schema.RecordDecodeException;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.schema.VoiceprintSerde;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The compacted speakers topic from a client's side: read every current print, write
 * one, delete one with a tombstone. What {@code enroll}, {@code speakers} and
 * {@code similar} use; the app itself reads the topic as a global store.
 */
public final class VoiceprintTopic {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> producerConfig;
    private final String topic;

    public VoiceprintTopic(Map<String, Object> consumerConfig, Map<String, Object> producerConfig, String topic) {
        this.consumerConfig = consumerConfig;
        this.producerConfig = producerConfig;
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }

    /** Every speaker's latest print, by speaker id (tombstoned speakers left out; undecodable values skipped). */
    public Map<String, Voiceprint> readAll() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        SingleObjectCodec<Voiceprint> codec = SingleObjectCodec.forReleased(Voiceprint.class);
        Map<String, Voiceprint> out = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new KafkaException("topic " + topic + " does not exist (enroll a speaker to create it)");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : infos) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("timed out reading " + topic);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        continue;
                    }
                    if (r.value() == null) {
                        out.remove(r.key());
                        continue;
                    }
                    try {
                        out.put(r.key(), codec.decode(r.value()));
                    } catch (RecordDecodeException e) {
                        out.remove(r.key());
                    }
                }
            }
        }
        return out;
    }

    /** Writes {@code print} under its speaker id and waits for the broker's acknowledgement. */
    public void put(Voiceprint print) {
        send(new ProducerRecord<>(topic, print.getSpeakerId(), print));
    }

    /** Writes the tombstone that deletes {@code speakerId} from the topic (after compaction) and from every app instance. */
    public void delete(String speakerId) {
        send(new ProducerRecord<>(topic, speakerId, null));
    }

    private void send(ProducerRecord<String, Voiceprint> record) {
        try (KafkaProducer<String, Voiceprint> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new VoiceprintSerde())) {
            producer.send(record).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot write to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("no acknowledgement from Kafka for " + topic + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted writing to " + topic, e);
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey(), TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
