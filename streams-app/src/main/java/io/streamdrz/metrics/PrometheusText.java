package io.streamdrz.metrics;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders metrics in the Prometheus text exposition format, version 0.0.4.
 *
 * <ul>
 *   <li>The engine's ({@link EngineMetrics}): {@code streamdrz_inference_latency_seconds}
 *       and {@code streamdrz_batch_size} (histograms), {@code streamdrz_inference_chunks_total},
 *       {@code streamdrz_inference_batches_total}, {@code streamdrz_inference_failed_batches_total},
 *       {@code streamdrz_audio_seconds_total}, {@code streamdrz_inference_seconds_total},
 *       {@code streamdrz_live_windows_total}, {@code streamdrz_live_inference_seconds_total}
 *       (counters) and {@code streamdrz_real_time_factor} (gauge).</li>
 *   <li>The topology's Kafka Streams sensors (group {@code stream-streamdrz-metrics}):
 *       {@code streamdrz_<name>} with their tags as labels, e.g.
 *       {@code streamdrz_chunks_total{thread_id=..,streamdrz_id="task-0_1"}}; the
 *       per-reason dead-letter counters become one family,
 *       {@code streamdrz_dead_lettered_total{reason="BAD_PAYLOAD",...}}.</li>
 *   <li>Every other Kafka metric (Streams, its consumers, producers, admin client):
 *       {@code kafka_<group>_<name>}, e.g.
 *       {@code kafka_consumer_fetch_manager_metrics_records_lag_max}, untyped; values that
 *       are not numbers are left out.</li>
 * </ul>
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String OUR_GROUP = "stream-streamdrz-metrics";
    private static final Pattern DEAD_LETTERED = Pattern.compile("dead-lettered-(.+)-(total|rate)");

    private PrometheusText() {
    }

    /** One sample of a gauge that is neither the engine's nor Kafka's (see {@link MetricsServer}). */
    public record Gauge(String name, String help, Map<String, String> labels, double value) {
    }

    /** The whole exposition: the engine's metrics (may be null) and Kafka's. */
    public static String render(EngineMetrics engine, Map<MetricName, ? extends Metric> kafka) {
        return render(engine, kafka, List.of());
    }

    /** {@link #render(EngineMetrics, Map)} and {@code gauges}, samples of one name together. */
    public static String render(EngineMetrics engine, Map<MetricName, ? extends Metric> kafka, List<Gauge> gauges) {
        StringBuilder out = new StringBuilder();
        Map<String, List<Gauge>> byName = new java.util.LinkedHashMap<>();
        gauges.forEach(g -> byName.computeIfAbsent(g.name(), n -> new ArrayList<>()).add(g));
        byName.forEach((name, samples) -> {
            out.append("# HELP ").append(name).append(' ').append(escapeHelp(samples.get(0).help())).append('\n');
            out.append("# TYPE ").append(name).append(" gauge\n");
            samples.forEach(g -> out.append(name).append(labels(new TreeMap<>(g.labels()))).append(' ')
                    .append(number(g.value())).append('\n'));
        });
        if (engine != null) {
            histogram(out, "streamdrz_inference_latency_seconds", "Seconds per model run (a batch of chunks).",
                    engine.latency());
            histogram(out, "streamdrz_batch_size", "Chunks per model run.", engine.batchSize());
            single(out, "streamdrz_inference_chunks_total", "counter", "Chunks diarized by the model.",
                    engine.getChunksTotal());
            single(out, "streamdrz_inference_batches_total", "counter", "Model runs.", engine.getBatchesTotal());
            single(out, "streamdrz_inference_failed_batches_total", "counter", "Model runs that failed.",
                    engine.getFailedBatchesTotal());
            single(out, "streamdrz_inference_seconds_total", "counter", "Seconds spent in model runs.",
                    engine.getInferenceSecondsTotal());
            single(out, "streamdrz_audio_seconds_total", "counter", "Seconds of call audio diarized.",
                    engine.getAudioSecondsTotal());
            single(out, "streamdrz_live_windows_total", "counter", "Live windows run (provisional labels).",
                    engine.getLiveWindowsTotal());
            single(out, "streamdrz_live_inference_seconds_total", "counter",
                    "Seconds spent in model runs of live windows.", engine.getLiveInferenceSecondsTotal());
            single(out, "streamdrz_real_time_factor", "gauge",
                    "Inference seconds per second of audio since start (below 1: faster than real time).",
                    engine.getRealTimeFactor());
        }
        kafka(out, kafka);
        return out.toString();
    }

    private record Sample(Map<String, String> labels, double value) {
    }

    private record Family(String help, String type, List<Sample> samples) {
    }

    private static void kafka(StringBuilder out, Map<MetricName, ? extends Metric> metrics) {
        Map<String, Family> families = new TreeMap<>();
        metrics.forEach((name, metric) -> {
            Object value = metric.metricValue();
            if (!(value instanceof Number number)) {
                return;
            }
            Map<String, String> labels = new TreeMap<>();
            name.tags().forEach((k, v) -> labels.put(sanitize(k), v));
            String family;
            String type = "untyped";
            if (OUR_GROUP.equals(name.group())) {
                Matcher m = DEAD_LETTERED.matcher(name.name());
                String base = name.name();
                if (m.matches()) {
                    labels.put("reason", m.group(1).toUpperCase(Locale.ROOT).replace('-', '_'));
                    base = "dead-lettered-" + m.group(2);
                }
                family = "streamdrz_" + sanitize(base);
                if (family.endsWith("_total")) {
                    type = "counter";
                } else if (base.equals("active-calls")) {
                    type = "gauge";
                }
            } else {
                family = "kafka_" + sanitize(name.group()) + "_" + sanitize(name.name());
            }
            String help = name.description() == null || name.description().isEmpty()
                    ? name.group() + " " + name.name() : name.description();
            String finalType = type;
            families.computeIfAbsent(family, f -> new Family(help, finalType, new ArrayList<>()))
                    .samples().add(new Sample(labels, number.doubleValue()));
        });
        families.forEach((family, f) -> {
            out.append("# HELP ").append(family).append(' ').append(escapeHelp(f.help())).append('\n');
            out.append("# TYPE ").append(family).append(' ').append(f.type()).append('\n');
            for (Sample s : f.samples()) {
                out.append(family).append(labels(s.labels())).append(' ').append(number(s.value())).append('\n');
            }
        });
    }

    private static void single(StringBuilder out, String name, String type, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    private static void histogram(StringBuilder out, String name, String help, Histogram h) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        // Read the total first: buckets only grow, so no bucket exceeds +Inf.
        long count = h.count();
        double sum = h.sum();
        double[] bounds = h.bounds();
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(number(bounds[i])).append("\"} ")
                    .append(Math.min(count, h.bucketCount(i))).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(number(sum)).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
    }

    private static String labels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        labels.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(k).append("=\"").append(escapeLabel(v)).append('"');
        });
        return b.append('}').toString();
    }

    /** A metric or label name: {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
    static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length() + 1);
        if (!name.isEmpty() && name.charAt(0) >= '0' && name.charAt(0) <= '9') {
            b.append('_');
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    private static String escapeLabel(String v) {
        return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
