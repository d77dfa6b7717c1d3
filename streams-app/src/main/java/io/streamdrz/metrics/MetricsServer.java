package io.streamdrz.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app's HTTP endpoint for operations (the JDK's own HTTP server, no dependencies):
 *
 * <ul>
 *   <li>{@code GET /metrics}: {@link PrometheusText}, the engine's metrics and every Kafka metric;</li>
 *   <li>{@code GET /healthz}: liveness, 200 unless the Kafka Streams client has failed or stopped,
 *       or a stream thread has not polled for longer than the stall limit ({@link StreamThreadWatch}:
 *       it is stuck on the records it has), in which case the body names the threads;</li>
 *   <li>{@code GET /readyz}: readiness, 200 only while the client is {@code RUNNING} (not while
 *       starting, restoring state or rebalancing), else 503.</li>
 * </ul>
 * Besides the engine's and Kafka's metrics, {@code /metrics} has the gauges
 * {@code streamdrz_stream_threads_stalled} (threads past the stall limit),
 * {@code streamdrz_stream_thread_seconds_since_poll{client_id}} and, when given a
 * {@link CommittedLag}, {@code streamdrz_committed_lag_records{partition}}: the lag
 * {@code kafka-consumer-groups.sh} shows.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final CommittedLag lag;

    private MetricsServer(HttpServer server, ExecutorService executor, CommittedLag lag) {
        this.server = server;
        this.executor = executor;
        this.lag = lag;
    }

    /** Where to listen and what to call unhealthy. {@code lag} may be null. */
    public record Options(String host, int port, Duration stallLimit, CommittedLag lag) {
    }

    /**
     * Listens on {@code options.host()} (an address or name; {@code 0.0.0.0}: every interface)
     * at {@code options.port()} (0: a free port, see {@link #port()}).
     *
     * @throws UncheckedIOException if the address cannot be bound (the lag is closed then)
     */
    public static MetricsServer start(Options options, KafkaStreams streams, EngineMetrics engine) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (IOException e) {
            if (options.lag() != null) {
                options.lag().close();
            }
            throw new UncheckedIOException("cannot listen for metrics on " + options.host() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            String body = PrometheusText.render(engine, streams.metrics(), gauges(options, streams));
            respond(exchange, 200, PrometheusText.CONTENT_TYPE, body);
        });
        server.createContext("/healthz", exchange -> {
            KafkaStreams.State state = streams.state();
            boolean alive = state.hasNotStarted() || state.isRunningOrRebalancing();
            List<String> stalled = StreamThreadWatch.stalled(streams.metrics(), options.stallLimit());
            String body = stalled.isEmpty() ? state + "\n" : state + ", STALLED (no poll for more than "
                    + options.stallLimit().toMillis() + " ms): " + String.join(", ", stalled) + "\n";
            respond(exchange, alive && stalled.isEmpty() ? 200 : 503, "text/plain; charset=utf-8", body);
        });
        server.createContext("/readyz", exchange -> {
            KafkaStreams.State state = streams.state();
            respond(exchange, state == KafkaStreams.State.RUNNING ? 200 : 503, "text/plain; charset=utf-8",
                    state + "\n");
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "streamdrz-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        MetricsServer metrics = new MetricsServer(server, executor, options.lag());
        log.info("metrics at http://{}:{}/metrics (health: /healthz, readiness: /readyz)", options.host(), metrics.port());
        return metrics;
    }

    private static List<PrometheusText.Gauge> gauges(Options options, KafkaStreams streams) {
        List<PrometheusText.Gauge> gauges = new ArrayList<>();
        gauges.add(new PrometheusText.Gauge("streamdrz_stream_threads_stalled", "Stream threads that have not polled "
                + "for longer than streamdrz.health.stall.ms: stuck on their records; /healthz fails meanwhile.",
                Map.of(), StreamThreadWatch.stalled(streams.metrics(), options.stallLimit()).size()));
        StreamThreadWatch.secondsSincePoll(streams.metrics()).forEach((client, seconds) -> gauges.add(
                new PrometheusText.Gauge("streamdrz_stream_thread_seconds_since_poll",
                        "Seconds since the stream thread's consumer last polled.", Map.of("client_id", client), seconds)));
        if (options.lag() != null) {
            options.lag().byPartition().forEach((partition, records) -> gauges.add(new PrometheusText.Gauge(
                    "streamdrz_committed_lag_records", "Records of audio-in after the group's committed offset, "
                    + "as kafka-consumer-groups.sh shows (refreshed every 10 s).",
                    Map.of("partition", String.valueOf(partition)), records)));
        }
        return gauges;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops listening; closes the {@link CommittedLag} it was given. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        if (lag != null) {
            lag.close();
        }
    }
}
