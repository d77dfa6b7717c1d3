package io.streamdrz.metrics;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sees a stream thread that is stuck: one whose main consumer has not polled for longer
 * than a limit. A stream thread polls between batches of records even when there are none
 * (and while restoring), so a thread that does not poll is inside one record, punctuation
 * or commit: it is making no progress on the records it has. Kafka's own symptom comes far
 * later ({@code max.poll.interval.ms}, 5 minutes, then the thread leaves the group), and its
 * fetch lag reads 0 meanwhile because nothing is fetched.
 *
 * <p>Reads the consumer metric {@value #LAST_POLL} of each stream thread's main consumer
 * (client id {@code ...-StreamThread-N-consumer}), which Kafka keeps live.
 */
public final class StreamThreadWatch {

    static final String LAST_POLL = "last-poll-seconds-ago";
    private static final Pattern MAIN_CONSUMER = Pattern.compile(".*-StreamThread-\\d+-consumer");
    /** A consumer that never polled reports seconds since the epoch: not stuck, not started. */
    private static final double NEVER_POLLED_SECONDS = 10 * 365 * 24 * 3600.0;

    private StreamThreadWatch() {
    }

    /** The client ids of the stream threads' consumers that have not polled for longer than {@code limit}. */
    public static List<String> stalled(Map<MetricName, ? extends Metric> metrics, Duration limit) {
        List<String> stalled = new ArrayList<>();
        secondsSincePoll(metrics).forEach((client, seconds) -> {
            if (seconds * 1000 > limit.toMillis()) {
                stalled.add(client);
            }
        });
        stalled.sort(null);
        return stalled;
    }

    /** Seconds since each stream thread's consumer last polled, by client id. */
    static Map<String, Double> secondsSincePoll(Map<MetricName, ? extends Metric> metrics) {
        Map<String, Double> out = new java.util.TreeMap<>();
        metrics.forEach((name, metric) -> {
            String client = name.tags().get("client-id");
            if (LAST_POLL.equals(name.name()) && client != null && MAIN_CONSUMER.matcher(client).matches()
                    && metric.metricValue() instanceof Number n && n.doubleValue() < NEVER_POLLED_SECONDS) {
                out.put(client, n.doubleValue());
            }
        });
        return out;
    }
}
