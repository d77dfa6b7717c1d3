package io.streamdrz.audio;

import io.streamdrz.client.CallAudio;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Log-mel features of one model input (prompt slots and an 8 s chunk) with the mel
 * recipe from the model's metadata, into a reused output array, as {@code ChunkDiarizer} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MelFrontendBench {

    private MelFrontend frontend;
    private float[] samples;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        io.streamdrz.inference.ModelContract c = io.streamdrz.inference.ModelContractAccess.load();
        frontend = new MelFrontend(c.mel);
        float[] call = CallAudio.resource("/io/streamdrz/demo/sample-call.wav", "sample").audio()
                .atRate(c.sampleRate).samples();
        samples = java.util.Arrays.copyOf(call, c.inputSamples);
        out = new float[frontend.frames(samples.length) * c.mel.nMels()];
    }

    @Benchmark
    public float[] logMel() {
        frontend.compute(samples, 0, samples.length, out, 0);
        return out;
    }
}
