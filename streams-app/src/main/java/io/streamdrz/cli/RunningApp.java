package io.streamdrz.cli;

import io.streamdrz.app.DiarizationApp;
import io.streamdrz.app.DiarizationEngine;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.metrics.MetricsServer;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code run}, {@code demo} and {@code bench} start, written once: the model engine,
 * the streams app on it and, where {@code streamdrz.metrics.port} asks for one, the
 * metrics endpoint. Closing stops them in the reverse order.
 */
final class RunningApp implements AutoCloseable {

    /** What a metrics port that cannot be bound means. */
    enum Metrics {
        /** the start fails ({@code run}: an operator asked for that port) */
        REQUIRED,
        /** a warning, and no endpoint ({@code demo}) */
        OPTIONAL,
        /** no endpoint is started ({@code bench}) */
        OFF
    }

    private final DiarizationEngine engine;
    private final DiarizationApp app;
    private final MetricsServer metrics;

    private RunningApp(DiarizationEngine engine, DiarizationApp app, MetricsServer metrics) {
        this.engine = engine;
        this.app = app;
        this.metrics = metrics;
    }

    /**
     * The configuration {@code load} makes of {@code values}, with {@code streamdrz.model.path}
     * resolved by {@link ModelLocation} (written back into {@code values}).
     */
    static StreamdrzConfig withModelLocated(Map<String, String> values, Function<Map<String, String>, StreamdrzConfig> load) {
        StreamdrzConfig config = load.apply(values);
        values.put(StreamdrzConfig.MODEL_PATH, ModelLocation.resolve(config.getString(StreamdrzConfig.MODEL_PATH)));
        return load.apply(values);
    }

    /**
     * Loads the model and starts the app on it (not yet waiting until it runs).
     *
     * @throws io.streamdrz.inference.ModelContractException the model files are missing or broken
     * @throws org.apache.kafka.common.KafkaException         the app could not start
     * @throws UncheckedIOException                           the metrics port is taken and {@code metrics} is REQUIRED
     */
    static RunningApp start(StreamdrzConfig config, Metrics metrics, PrintWriter err, String command) {
        DiarizationEngine engine = DiarizationEngine.load(config);
        DiarizationApp app;
        try {
            app = DiarizationApp.start(config, engine.inference());
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        MetricsServer server = null;
        if (metrics != Metrics.OFF && config.metricsPort() >= 0) {
            try {
                server = MetricsServer.start(config.metricsOptions(), app.streams(), engine.metrics());
            } catch (UncheckedIOException e) {
                if (metrics == Metrics.REQUIRED) {
                    app.close();
                    engine.close();
                    throw e;
                }
                err.println(command + ": no metrics endpoint: " + e.getMessage());
                err.flush();
            }
        }
        return new RunningApp(engine, app, server);
    }

    DiarizationEngine engine() {
        return engine;
    }

    DiarizationApp app() {
        return app;
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        app.close();
        engine.close();
    }
}
