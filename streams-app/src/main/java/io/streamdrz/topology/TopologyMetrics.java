package io.streamdrz.topology;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Counters of the audio path as Kafka Streams sensors (group {@code stream-streamdrz-metrics},
 * tag {@code streamdrz-id} = the task): {@code dead-lettered-<reason>-total/-rate} per
 * {@link DeadLetterReason}, {@code duplicate-frames-total/-rate},
 * {@code chunks-total/-rate}, {@code inference-failures-total/-rate},
 * {@code calls-failed-total/-rate} (calls ended with {@link CallEnd#INTERNAL_ERROR}),
 * {@code revised-calls-total/-rate} (calls whose segments went to the revised topic), and the gauge
 * {@code active-calls} (calls of the task not yet finished). They are
 * visible through JMX and {@code KafkaStreams#metrics()} like Kafka's own.
 *
 * <p>The first dead letter of each reason in a task is also logged as a warning, the
 * rest at debug level, so a flood of bad records cannot flood the log.
 */
final class TopologyMetrics {

    private static final Logger log = LoggerFactory.getLogger(TopologyMetrics.class);
    static final String SCOPE = "streamdrz";

    private final StreamsMetrics metrics;
    private final String entity;
    private final Map<DeadLetterReason, Sensor> deadLettered = new EnumMap<>(DeadLetterReason.class);
    private final Set<DeadLetterReason> logged = EnumSet.noneOf(DeadLetterReason.class);
    private Sensor duplicates;
    private Sensor chunks;
    private Sensor inferenceFailures;
    private Sensor revisedCalls;
    private Sensor callsFailed;
    private Sensor activeCalls;

    private TopologyMetrics(StreamsMetrics metrics, String entity) {
        this.metrics = metrics;
        this.entity = entity;
    }

    static TopologyMetrics of(ProcessorContext<?, ?> context) {
        return new TopologyMetrics(context.metrics(), "task-" + context.taskId());
    }

    void deadLettered(DeadLetterReason reason, String message) {
        deadLettered.computeIfAbsent(reason, r -> sensor("dead-lettered-" + r.name().toLowerCase(Locale.ROOT)
                .replace('_', '-'))).record();
        if (logged.add(reason)) {
            log.warn("{}: dead-lettering a frame ({}): {} (later ones of this reason are logged at debug level)",
                    entity, reason, message);
        } else {
            log.debug("{}: dead-lettering a frame ({}): {}", entity, reason, message);
        }
    }

    void duplicate() {
        if (duplicates == null) {
            duplicates = sensor("duplicate-frames");
        }
        duplicates.record();
    }

    void chunk() {
        if (chunks == null) {
            chunks = sensor("chunks");
        }
        chunks.record();
    }

    /** A call ended with {@link CallEnd#INTERNAL_ERROR}: its processing failed. */
    void callFailed() {
        if (callsFailed == null) {
            callsFailed = sensor("calls-failed");
        }
        callsFailed.record();
    }

    void inferenceFailure() {
        if (inferenceFailures == null) {
            inferenceFailures = sensor("inference-failures");
        }
        inferenceFailures.record();
    }

    void revisedCall() {
        if (revisedCalls == null) {
            revisedCalls = sensor("revised-calls");
        }
        revisedCalls.record();
    }

    /** The task's calls not yet finished, as a gauge (the last value recorded). */
    void activeCalls(int calls) {
        if (activeCalls == null) {
            String thread = Thread.currentThread().getName();
            activeCalls = metrics.addSensor(SCOPE + "." + thread + "." + entity + ".active-calls",
                    Sensor.RecordingLevel.INFO);
            if (!activeCalls.hasMetrics()) {
                activeCalls.add(new MetricName("active-calls", "stream-" + SCOPE + "-metrics",
                        "Calls of this task not yet finished.",
                        Map.of("thread-id", thread, SCOPE + "-id", entity)), new Value());
            }
        }
        activeCalls.record(calls);
    }

    private Sensor sensor(String operation) {
        return metrics.addRateTotalSensor(SCOPE, entity, operation, Sensor.RecordingLevel.INFO);
    }
}
