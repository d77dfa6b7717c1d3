package io.streamdrz.metrics;

/** The engine's metrics over JMX: {@code io.streamdrz:type=Engine}. */
public interface EngineMetricsMXBean {

    /** Chunks diarized (each is one row of a model run). */
    long getChunksTotal();

    /** Model runs. */
    long getBatchesTotal();

    /** Model runs that threw. */
    long getFailedBatchesTotal();

    /** Mean chunks per model run. */
    double getBatchSizeMean();

    /** Seconds spent in model runs. */
    double getInferenceSecondsTotal();

    /** Mean seconds per model run. */
    double getInferenceLatencyMeanSeconds();

    /** Seconds of call audio diarized (chunks times the model's chunk length). */
    double getAudioSecondsTotal();

    /** Inference seconds per second of audio since start; below 1 is faster than real time. */
    double getRealTimeFactor();

    /** Live windows run (provisional labels; not counted in the chunk and batch totals above). */
    long getLiveWindowsTotal();

    /** Seconds spent in model runs of live windows. */
    double getLiveInferenceSecondsTotal();
}
