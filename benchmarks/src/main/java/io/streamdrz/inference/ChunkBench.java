package io.streamdrz.inference;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One model run over a batch of chunks from different calls, as the app's
 * {@link ChunkBatcher} makes it: log-mel features of each prompted input, the
 * encoder, KV-cached greedy decoding until every row has emitted EOS, and (with the
 * shipped model) Silero VAD over each chunk on a second thread. Divide by the batch size
 * for the cost per chunk (8 s of audio). {@link #window} is a live window: the same
 * prompts and the chunk's last {@code live.window_seconds} through the window graph
 * ({@link WindowEncoder}), its speech from the call's VAD stream, so no VAD runs.
 * {@link #chunkWindow} is a live window of a call with no prompt yet: a whole chunk
 * through encoder and decoder, without a VAD run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ChunkBench {

    @Param({"1", "4", "16"})
    public int batch;

    private EngineFixture fixture;
    private List<ModelInput> inputs;
    private List<ModelInput> windows;
    private List<ModelInput> chunkWindows;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = new EngineFixture();
        inputs = fixture.batch(batch);
        double seconds = fixture.engine.contract().chunkSeconds;
        chunkWindows = inputs.stream().map(in -> in.withSpeech(List.of(new SpeechRegion(0, seconds)))).toList();
        ModelContract c = fixture.engine.contract();
        windows = inputs.stream().map(in -> window(c, in)).toList();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    @Benchmark
    public List<DecodedChunk> chunk() {
        return fixture.engine.run(inputs);
    }

    @Benchmark
    public List<DecodedChunk> window() {
        return fixture.engine.run(windows);
    }

    @Benchmark
    public List<DecodedChunk> chunkWindow() {
        return fixture.engine.run(chunkWindows);
    }

    /** The input's prompt slots, then the last window_seconds of its chunk. */
    private static ModelInput window(ModelContract c, ModelInput in) {
        float[] x = java.util.Arrays.copyOf(in.samples(), c.windowInputSamples());
        System.arraycopy(in.samples(), c.chunkOffset() + c.chunkSamples() - c.windowSamples(), x, c.chunkOffset(),
                c.windowSamples());
        return new ModelInput(x, in.nPrompted(), List.of(new SpeechRegion(0, c.live.seconds())), true);
    }
}
