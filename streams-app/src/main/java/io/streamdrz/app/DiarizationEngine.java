package io.streamdrz.app;

import io.streamdrz.inference.ChunkBatcher;
import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.DiarizationModel;
import io.streamdrz.inference.ModelOptions;
import io.streamdrz.metrics.EngineMetrics;
import io.streamdrz.topology.ChunkInference;
import io.streamdrz.topology.EngineInference;

/**
 * The engine as the streams app uses it: the model loaded once per JVM, the engine's
 * {@link ChunkBatcher} in front of it shared by every stream thread (chunks that
 * different threads ask for at once share a model run), and the topology's
 * {@link ChunkInference} on top, and the engine's metrics ({@link EngineMetrics}, also
 * over JMX as {@code io.streamdrz:type=Engine}). Closing it releases the model.
 */
public final class DiarizationEngine implements AutoCloseable {

    private final DiarizationModel model;
    private final ChunkBatcher runner;
    private final EngineInference inference;
    private final EngineMetrics metrics;

    private DiarizationEngine(DiarizationModel model, ChunkBatcher runner, EngineInference inference,
                              EngineMetrics metrics) {
        this.metrics = metrics;
        this.model = model;
        this.runner = runner;
        this.inference = inference;
    }

    /** Loads the model named by {@code streamdrz.model.*}. */
    public static DiarizationEngine load(StreamdrzConfig config) {
        DiarizationModel model = DiarizationModel.load(config.modelOptions());
        EngineMetrics metrics = new EngineMetrics(model.contract().chunkSeconds);
        metrics.register();
        // live windows run in the model thread's idle time, after every waiting chunk: live
        // labels can make final segments wait for one window batch at most, and windows of
        // different calls still share runs
        // on a CPU a batch costs about the sum of its rows, so windows go one by one there and
        // a chunk never waits for more than one
        int windowBatch = model.device() == ModelOptions.Device.CUDA ? config.batchMax() : 1;
        ChunkBatcher runner = new ChunkBatcher(new ChunkDiarizer(model), config.batchMax(), windowBatch,
                config.batchWait(), metrics, metrics::liveRun);
        return new DiarizationEngine(model, runner, new EngineInference(model.contract(), runner,
                config.callMaxSpeakers(), runner.background(), model.vad()), metrics);
    }

    public ChunkInference inference() {
        return inference;
    }

    /** The batching layer every stream thread's chunks go through (its counters say how batching went). */
    public ChunkBatcher batcher() {
        return runner;
    }

    public DiarizationModel model() {
        return model;
    }

    public EngineMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        runner.close();
        model.close();
        metrics.close();
    }
}
