package io.streamdrz.metrics;

import io.streamdrz.inference.ChunkBatcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * What the inference engine does, measured where the model runs (the
 * {@link ChunkBatcher}'s dispatcher): model runs and their latency, batch sizes, chunks,
 * and the real-time factor, all of final chunks; live windows are counted apart. The Kafka-side counters (dead letters, active calls, chunks
 * cut per task) are Kafka Streams sensors in the topology; this covers what no task sees.
 *
 * <p>Registered over JMX as {@code io.streamdrz:type=Engine} (a second engine in the
 * same JVM adds {@code ,instance=N}) by {@link #register()}; rendered for Prometheus by
 * {@link PrometheusText}.
 */
public final class EngineMetrics implements ChunkBatcher.Observer, EngineMetricsMXBean, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EngineMetrics.class);
    public static final String JMX_NAME = "io.streamdrz:type=Engine";

    /** Upper bounds of the latency histogram, seconds. */
    static final double[] LATENCY_BOUNDS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    /** Upper bounds of the batch size histogram, chunks. */
    static final double[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64};

    private final double chunkSeconds;
    private final Histogram latency = new Histogram(LATENCY_BOUNDS);
    private final Histogram batchSize = new Histogram(BATCH_BOUNDS);
    private final LongAdder failedBatches = new LongAdder();
    private final DoubleAdder audioSeconds = new DoubleAdder();
    private final LongAdder liveWindows = new LongAdder();
    private final DoubleAdder liveSeconds = new DoubleAdder();
    private ObjectName registered;

    /** @param chunkSeconds the model's chunk length: the audio one chunk stands for */
    public EngineMetrics(double chunkSeconds) {
        this.chunkSeconds = chunkSeconds;
    }

    @Override
    public void batchRun(int chunks, long nanos, boolean failed) {
        latency.observe(nanos / 1e9);
        batchSize.observe(chunks);
        if (failed) {
            failedBatches.increment();
        } else {
            audioSeconds.add(chunks * chunkSeconds);
        }
    }

    /** Told about every model run of live windows ({@code DiarizationEngine}'s second batcher). */
    public void liveRun(int windows, long nanos, boolean failed) {
        liveWindows.add(windows);
        liveSeconds.add(nanos / 1e9);
    }

    @Override
    public long getLiveWindowsTotal() {
        return liveWindows.sum();
    }

    @Override
    public double getLiveInferenceSecondsTotal() {
        return liveSeconds.sum();
    }

    /** Seconds per model run. */
    public Histogram latency() {
        return latency;
    }

    /** Chunks per model run. */
    public Histogram batchSize() {
        return batchSize;
    }

    @Override
    public long getChunksTotal() {
        return Math.round(batchSize.sum());
    }

    @Override
    public long getBatchesTotal() {
        return batchSize.count();
    }

    @Override
    public long getFailedBatchesTotal() {
        return failedBatches.sum();
    }

    @Override
    public double getBatchSizeMean() {
        long n = batchSize.count();
        return n == 0 ? 0 : batchSize.sum() / n;
    }

    @Override
    public double getInferenceSecondsTotal() {
        return latency.sum();
    }

    @Override
    public double getInferenceLatencyMeanSeconds() {
        long n = latency.count();
        return n == 0 ? 0 : latency.sum() / n;
    }

    @Override
    public double getAudioSecondsTotal() {
        return audioSeconds.sum();
    }

    @Override
    public double getRealTimeFactor() {
        double audio = audioSeconds.sum();
        return audio == 0 ? 0 : latency.sum() / audio;
    }

    /** Registers this under {@link #JMX_NAME} (or the first free {@code ,instance=N}); returns the name. */
    public synchronized ObjectName register() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (int i = 1; registered == null; i++) {
                ObjectName name = new ObjectName(i == 1 ? JMX_NAME : JMX_NAME + ",instance=" + i);
                if (!server.isRegistered(name)) {
                    server.registerMBean(this, name);
                    registered = name;
                }
            }
        } catch (JMException e) {
            log.warn("cannot register the engine metrics over JMX: {}", e.toString());
        }
        return registered;
    }

    /** Unregisters from JMX. */
    @Override
    public synchronized void close() {
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (JMException e) {
                log.debug("cannot unregister {}", registered, e);
            }
            registered = null;
        }
    }
}
