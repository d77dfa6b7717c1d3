package io.streamdrz.inference;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The keypad tone check ({@link KeypadTones}) of every VAD window of one 8 s chunk at
 * 16 kHz (250 windows of 32 ms), as {@link SileroVad} runs it after Silero on each chunk:
 * the chunk of the demo call's third model input, speech and pauses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeypadTonesBench {

    private EngineFixture fixture;
    private KeypadTones tones;
    private float[] samples;
    private int from;
    private int window;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = new EngineFixture();
        ModelContract c = fixture.model.contract();
        samples = fixture.inputs.get(2).samples();
        from = c.chunkOffset();
        window = SileroVad.windowSamples(c.sampleRate);
        tones = KeypadTones.at(c.sampleRate);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fixture.close();
    }

    @Benchmark
    public int chunk() {
        int found = 0;
        for (int start = from; start + window <= samples.length; start += window) {
            found += tones.isTone(samples, start) ? 1 : 0;
        }
        return found;
    }
}
