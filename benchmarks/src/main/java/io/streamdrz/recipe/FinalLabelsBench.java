package io.streamdrz.recipe;

import io.streamdrz.inference.ModelContract;

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
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What a call's end costs with revised labels (and what {@code diarize} adds to a file):
 * the final pass over a call of {@code minutes} of two-party speech in 4 s turns, one piece
 * a second with its voice (the shipped 128 dimensions) and cepstral statistics
 * ({@link FinalLabels#relabel}). Beyond 4096 pieces (68 minutes) they are joined in twos.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FinalLabelsBench {

    @Param({"5", "30", "60", "240"})
    public int minutes;

    private ModelContract contract;
    private final List<CallSegment> segments = new ArrayList<>();
    private final List<FinalPiece> pieces = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        contract = Voices.shippedContract();
        Random rng = new Random(0);
        double[][] voices = {Voices.noisy(rng, null, 1.0), Voices.noisy(rng, null, 1.0)};
        for (int turn = 0; turn < minutes * 15; turn++) {
            int label = turn % 2;
            segments.add(new CallSegment(4.0 * turn, 4.0 * turn + 4.0, label, 0.9, turn / 2));
            for (int p = 0; p < 4; p++) {
                short[] cepstra = new short[38];
                for (int d = 0; d < cepstra.length; d++) {
                    cepstra[d] = (short) (256 * (label + rng.nextGaussian()));
                }
                pieces.add(new FinalPiece(4.0 * turn + p, 4.0 * turn + p + 1, label,
                        floats(Voices.noisy(rng, voices[label], 0.5)), cepstra));
            }
        }
    }

    @Benchmark
    public FinalLabels.Relabelled relabel() {
        return FinalLabels.relabel(contract, segments, pieces);
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) v[d];
        }
        return out;
    }
}
