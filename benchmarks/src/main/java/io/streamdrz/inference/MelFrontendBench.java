package io.streamdrz.inference;

import io.streamdrz.audio.MelFrontend;

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

import java.util.concurrent.TimeUnit;

/**
 * Log-mel features of one model input (three prompt slots and an 8 s chunk, 1472
 * frames for streamdrz-small) into a reused output array, as {@link ChunkDiarizer}
 * does. {@code chunk} picks the input: chunk 0 of the demo call has no prompts yet
 * (its prompt slots are silent), later chunks carry the prompts the recipe chose.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MelFrontendBench {

    @Param({"0", "2"})
    public int chunk;

    private EngineFixture fixture;
    private MelFrontend frontend;
    private float[] samples;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = new EngineFixture();
        ModelContract c = fixture.model.contract();
        frontend = new MelFrontend(c.mel);
        samples = fixture.inputs.get(chunk).samples();
        out = new float[frontend.frames(samples.length) * c.mel.nMels()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    @Benchmark
    public float[] logMel() {
        frontend.compute(samples, 0, samples.length, out, 0);
        return out;
    }
}
