package io.streamdrz.app;

import io.streamdrz.client.AudioProducer;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.metrics.CommittedLag;
import io.streamdrz.metrics.EngineMetrics;
import io.streamdrz.metrics.MetricsServer;
import io.streamdrz.recipe.CallState;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.topology.ChunkInference;
import io.streamdrz.topology.DelegatingInference;
import io.streamdrz.topology.ManySpeakersInference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations endpoint during a run on the embedded broker: {@code /readyz} turns 200
 * once the app runs, {@code /healthz} is 200, and {@code /metrics} (Prometheus text 0.0.4)
 * holds our metrics and Kafka's, whose values move as a call is diarized. The engine's
 * metrics are also over JMX.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class MetricsEndpointIT {

    private static final String PREFIX = "metrics-";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path stateDir;

    @Test
    void metricsHealthAndReadinessDuringARun(EmbeddedKafka kafka) throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        StreamdrzConfig config = StreamdrzConfig.of(Pipelines.settings(kafka, PREFIX, stateDir));
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference());
             MetricsServer server = MetricsServer.start(loopback(Duration.ofMinutes(1), null), app.streams(),
                     engine.metrics())) {
            String base = "http://127.0.0.1:" + server.port();
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            assertEquals(200, get(base + "/healthz").statusCode());
            assertEquals(200, get(base + "/readyz").statusCode(), "ready while RUNNING");

            HttpResponse<String> before = get(base + "/metrics");
            assertEquals(200, before.statusCode());
            assertTrue(before.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertEquals(0, value(before.body(), "streamdrz_inference_latency_seconds_count").orElse(-1));
            assertTrue(before.body().contains("\nstreamdrz_active_calls{"), "active calls gauge per task");

            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(config.producerProperties(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(config.audioInTopic(), "bad".getBytes(StandardCharsets.UTF_8),
                        "not a frame".getBytes(StandardCharsets.UTF_8))).get();
            }
            Pipelines.produce(config, List.of(Pipelines.fixtureCall("call-0", "m-call")),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(3));

            String after = get(base + "/metrics").body();
            double chunks = sum(after, "streamdrz_chunks_total");
            assertTrue(chunks >= 3, "a 20 s call is three 8 s chunks; chunks_total " + chunks);
            assertTrue(value(after, "streamdrz_inference_latency_seconds_count").orElse(0) >= 1, after);
            assertTrue(value(after, "streamdrz_inference_chunks_total").orElse(0) >= 3);
            assertTrue(value(after, "streamdrz_batch_size_count").orElse(0) >= 1);
            assertTrue(value(after, "streamdrz_real_time_factor").orElse(0) > 0);
            assertTrue(value(after, "streamdrz_audio_seconds_total").orElse(0) >= 24);
            assertTrue(sum(after, "streamdrz_dead_lettered_total") >= 1, "the bad record is counted");
            assertTrue(after.contains("reason=\"NOT_SINGLE_OBJECT\""), "dead letters labelled by reason");
            assertEquals(0, sum(after, "streamdrz_active_calls"), "the call has ended");
            assertTrue(after.contains("# TYPE streamdrz_inference_latency_seconds histogram"));
            assertTrue(after.contains("streamdrz_inference_latency_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(after.contains("kafka_stream_thread_metrics_process_total"), "Kafka Streams' own metrics");
            assertTrue(after.contains("kafka_consumer_fetch_manager_metrics_records_lag_max"), "consumer lag");
            for (String line : after.split("\n")) {
                assertTrue(line.startsWith("#") || line.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+"),
                        "not exposition format: " + line);
            }

            Object jmxChunks = ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName(EngineMetrics.JMX_NAME), "ChunksTotal");
            assertTrue(((Long) jmxChunks) >= 3, "engine metrics over JMX: " + jmxChunks);
            assertTrue(ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("kafka.streams:type=stream-streamdrz-metrics,*"), null).size() > 0,
                    "the topology's sensors over JMX");
        }
    }

    /**
     * Issue #22: a stream thread stuck in one record (here an engine that blocks) makes
     * {@code /healthz} fail and shows in the stall gauge, while the committed lag, unlike the
     * consumers' fetch lag, counts the frames behind it; once it moves again, all is well.
     */
    @Test
    void aStuckStreamThreadFailsTheHealthCheck(EmbeddedKafka kafka) throws Exception {
        String prefix = "stuck-";
        Pipelines.createTopics(kafka, prefix, 1);
        StreamdrzConfig config = StreamdrzConfig.of(Pipelines.settings(kafka, prefix, stateDir.resolve("stuck")));
        CountDownLatch release = new CountDownLatch(1);
        ChunkInference blocking = new BlockingInference(new ManySpeakersInference(16_000, 2), release);
        try (DiarizationApp app = DiarizationApp.start(config, blocking);
             MetricsServer server = MetricsServer.start(loopback(Duration.ofSeconds(3),
                     CommittedLag.start(config.adminProperties(), config.applicationId(), config.audioInTopic())),
                     app.streams(), null)) {
            String base = "http://127.0.0.1:" + server.port();
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            assertEquals(200, get(base + "/healthz").statusCode());
            // 2 s of a call: its first chunk (1 s) blocks the stream thread; the rest waits behind it.
            Pipelines.produce(config, List.of(Pipelines.fixtureCall("call-0", "stuck-call")),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            HttpResponse<String> health = awaitStatus(base + "/healthz", 503, Duration.ofMinutes(1));
            assertTrue(health.body().contains("STALLED"), health.body());
            assertEquals(KafkaStreams.State.RUNNING, app.state(), "Kafka Streams itself sees nothing wrong");
            String metrics = awaitMetric(base, "streamdrz_committed_lag_records", Duration.ofSeconds(30));
            assertEquals(1, value(metrics, "streamdrz_stream_threads_stalled").orElse(-1));
            assertTrue(sum(metrics, "streamdrz_committed_lag_records") > 0, "the frames behind the stuck one");
            release.countDown();
            awaitStatus(base + "/healthz", 200, Duration.ofMinutes(1));
            assertEquals(0, value(get(base + "/metrics").body(), "streamdrz_stream_threads_stalled").orElse(-1));
        } finally {
            release.countDown();
        }
    }

    private HttpResponse<String> awaitStatus(String url, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> response = get(url);
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            response = get(url);
        }
        assertEquals(status, response.statusCode(), response.body());
        return response;
    }

    /** The exposition once it has a positive sample of {@code name}. */
    private String awaitMetric(String base, String name, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String body = get(base + "/metrics").body();
        while (sum(body, name) <= 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            body = get(base + "/metrics").body();
        }
        return body;
    }

    static MetricsServer.Options loopback(Duration stallLimit, CommittedLag lag) {
        return new MetricsServer.Options("127.0.0.1", 0, stallLimit, lag);
    }

    /** An engine that blocks on the first chunk until released: a stream thread stuck in one record. */
    private static final class BlockingInference extends DelegatingInference {
        private final CountDownLatch release;

        BlockingInference(ChunkInference engine, CountDownLatch release) {
            super(engine);
            this.release = release;
        }

        @Override
        public CallState diarize(CallState state, float[] chunk) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.diarize(state, chunk);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the unlabelled sample {@code name}. */
    static OptionalDouble value(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(exposition);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    /** The sum over every labelled sample of {@code name}. */
    static double sum(String exposition, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(exposition);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
        }
        return total;
    }

}
