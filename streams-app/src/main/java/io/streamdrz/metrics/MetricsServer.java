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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app's HTTP endpoint for operations (the JDK's own HTTP server, no dependencies):
 *
 * <ul>
 *   <li>{@code GET /metrics}: {@link PrometheusText}, the engine's metrics and every Kafka metric;</li>
 *   <li>{@code GET /healthz}: liveness, 200 unless the Kafka Streams client has failed or stopped;</li>
 *   <li>{@code GET /readyz}: readiness, 200 only while the client is {@code RUNNING} (not while
 *       starting, restoring state or rebalancing), else 503.</li>
 * </ul>
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on all interfaces at {@code port} (0: a free port, see {@link #port()}).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static MetricsServer start(int port, KafkaStreams streams, EngineMetrics engine) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for metrics on port " + port + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            String body = PrometheusText.render(engine, streams.metrics());
            respond(exchange, 200, PrometheusText.CONTENT_TYPE, body);
        });
        server.createContext("/healthz", exchange -> {
            KafkaStreams.State state = streams.state();
            boolean alive = state.hasNotStarted() || state.isRunningOrRebalancing();
            respond(exchange, alive ? 200 : 503, "text/plain; charset=utf-8", state + "\n");
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
        MetricsServer metrics = new MetricsServer(server, executor);
        log.info("metrics at http://localhost:{}/metrics (health: /healthz, readiness: /readyz)", metrics.port());
        return metrics;
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

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
