package io.streamdrz.metrics;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {

    @Test
    void engineMetricsAsHistogramsCountersAndGauges() {
        EngineMetrics engine = new EngineMetrics(8.0);
        engine.batchRun(1, 20_000_000L, false);   // 0.02 s
        engine.batchRun(3, 300_000_000L, false);  // 0.3 s
        engine.batchRun(2, 40_000_000_000L, true); // 40 s, failed
        String text = PrometheusText.render(engine, Map.of());

        assertTrue(text.contains("# TYPE streamdrz_inference_latency_seconds histogram\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_bucket{le=\"0.01\"} 0\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_bucket{le=\"0.025\"} 1\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_bucket{le=\"0.5\"} 2\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_bucket{le=\"30\"} 2\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_bucket{le=\"+Inf\"} 3\n"), text);
        assertTrue(text.contains("streamdrz_inference_latency_seconds_count 3\n"), text);
        assertTrue(text.contains("streamdrz_batch_size_bucket{le=\"2\"} 2\n"), text);
        assertTrue(text.contains("streamdrz_inference_chunks_total 6\n"), text);
        assertTrue(text.contains("streamdrz_inference_batches_total 3\n"), text);
        assertTrue(text.contains("streamdrz_inference_failed_batches_total 1\n"), text);
        assertTrue(text.contains("streamdrz_audio_seconds_total 32\n"), "failed runs diarize nothing: " + text);
        assertEquals((0.02 + 0.3 + 40) / 32, engine.getRealTimeFactor(), 1e-9);
        assertEquals(2.0, engine.getBatchSizeMean(), 1e-9);
    }

    @Test
    void kafkaMetricsWithTagsAsLabelsAndDeadLettersByReason() {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> tags = Map.of("thread-id", "app-StreamThread-1", "streamdrz-id", "task-0_1");
            Sensor bad = metrics.sensor("bad");
            bad.add(new MetricName("dead-lettered-bad-payload-total", "stream-streamdrz-metrics", "", tags),
                    new CumulativeSum());
            bad.record();
            bad.record();
            Sensor key = metrics.sensor("key");
            key.add(new MetricName("dead-lettered-key-mismatch-total", "stream-streamdrz-metrics", "", tags),
                    new CumulativeSum());
            key.record();
            Sensor calls = metrics.sensor("calls");
            calls.add(new MetricName("active-calls", "stream-streamdrz-metrics", "open calls", tags), new Value());
            calls.record(4);
            Sensor lag = metrics.sensor("lag");
            lag.add(new MetricName("records-lag-max", "consumer-fetch-manager-metrics", "lag",
                    Map.of("client-id", "a\"b")), new Value());
            lag.record(7);

            String text = PrometheusText.render(null, metrics.metrics());
            assertTrue(text.contains("# TYPE streamdrz_dead_lettered_total counter\n"), text);
            assertTrue(text.contains("streamdrz_dead_lettered_total{reason=\"BAD_PAYLOAD\",streamdrz_id=\"task-0_1\","
                    + "thread_id=\"app-StreamThread-1\"} 2\n"), text);
            assertTrue(text.contains("streamdrz_dead_lettered_total{reason=\"KEY_MISMATCH\","), text);
            assertEquals(1, text.split("# TYPE streamdrz_dead_lettered_total ", -1).length - 1, "one family");
            assertTrue(text.contains("# TYPE streamdrz_active_calls gauge\n"), text);
            assertTrue(text.contains("streamdrz_active_calls{streamdrz_id=\"task-0_1\",thread_id=\"app-StreamThread-1\"} 4\n"),
                    text);
            assertTrue(text.contains("kafka_consumer_fetch_manager_metrics_records_lag_max{client_id=\"a\\\"b\"} 7\n"), text);
            assertTrue(text.contains("# TYPE kafka_consumer_fetch_manager_metrics_records_lag_max untyped\n"), text);
        }
    }

    @Test
    void namesAndNumbers() {
        assertEquals("stream_thread_metrics", PrometheusText.sanitize("stream-thread-metrics"));
        assertEquals("_9lives", PrometheusText.sanitize("9lives"));
        assertEquals("NaN", PrometheusText.number(Double.NaN));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
        assertEquals("3", PrometheusText.number(3.0));
        assertEquals("0.25", PrometheusText.number(0.25));
        assertThrows(IllegalArgumentException.class, () -> new Histogram(1, 1));
    }
}
