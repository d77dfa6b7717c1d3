package io.streamdrz.metrics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lag that {@code kafka-consumer-groups.sh --describe} shows for the app's group on
 * audio-in: per partition, the end offset minus the committed offset (the beginning offset
 * when nothing is committed yet). Unlike the consumers' fetch lag it keeps growing while a
 * stream thread is stuck, since nothing is committed. Asked of the brokers every
 * {@link #INTERVAL} on a daemon thread; the latest answer is kept.
 */
public final class CommittedLag implements AutoCloseable {

    /** How often the brokers are asked: lag is an alerting signal over minutes, not seconds. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(CommittedLag.class);

    private final Admin admin;
    private final String group;
    private final String topic;
    private final ScheduledExecutorService executor;
    private volatile Map<Integer, Long> lag = Map.of();

    private CommittedLag(Admin admin, String group, String topic) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamdrz-committed-lag");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts asking for the lag of {@code group} on {@code topic}. */
    public static CommittedLag start(Map<String, Object> adminProperties, String group, String topic) {
        CommittedLag lag = new CommittedLag(Admin.create(adminProperties), group, topic);
        lag.executor.scheduleWithFixedDelay(lag::refresh, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return lag;
    }

    /** The latest lag per partition of the topic; empty before the first answer. */
    public Map<Integer, Long> byPartition() {
        return lag;
    }

    private void refresh() {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            description.partitions().forEach(p -> {
                latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            });
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            var starts = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            lag = lagOf(committed, ends, starts);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("committed lag of group {} on {} not available now", group, topic, e);
        }
    }

    static Map<Integer, Long> lagOf(Map<TopicPartition, OffsetAndMetadata> committed,
                                   Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends,
                                   Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts) {
        Map<Integer, Long> out = new TreeMap<>();
        ends.forEach((tp, end) -> {
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : starts.get(tp).offset();
            out.put(tp.partition(), Math.max(0, end.offset() - from));
        });
        return out;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
