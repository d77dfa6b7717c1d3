package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
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
 * What the voice bank adds to a chunk on the model thread: a call's bank of
 * {@code pieces} pieces (two voices, the shipped 128 dimensions; the shipped model keeps
 * up to 256) clustered again with the pieces of an 8 s chunk of four segments
 * ({@link VoiceBank#relabel}). Compare with {@code ChunkBench.chunk} at batch 1, the
 * model's own cost per chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VoiceBankBench {

    @Param({"128", "256"})
    public int pieces;

    private ModelContract contract;
    private List<BankPiece> bank;
    private float[] embeddings;
    private final List<ChunkSegment> segments = List.of(new ChunkSegment(0.1, 1.9, 0, 0.9),
            new ChunkSegment(2.2, 4.1, 1, 0.9), new ChunkSegment(4.4, 6.0, 0, 0.9), new ChunkSegment(6.3, 7.9, 1, 0.9));

    @Setup(Level.Trial)
    public void setUp() {
        contract = Voices.shippedContract();
        Random rng = new Random(0);
        double[][] voices = {Voices.noisy(rng, null, 1.0), Voices.noisy(rng, null, 1.0)};
        bank = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            bank.add(new BankPiece(BankPiece.quantize(Voices.noisy(rng, voices[i % 2], 0.3)), 1.0, i % 2));
        }
        int dim = contract.speakerDim;
        embeddings = new float[contract.encoderFrames * dim];
        for (int f = 0; f < contract.encoderFrames; f++) {
            double[] v = Voices.noisy(rng, voices[(f / 25) % 2], 0.5);
            for (int d = 0; d < dim; d++) {
                embeddings[f * dim + d] = (float) v[d];
            }
        }
    }

    @Benchmark
    public List<ChunkSegment> relabel() {
        CallState state = new CallState(List.of(), 2, 10, List.of(), bank);
        return VoiceBank.relabel(contract, state, segments, embeddings, 0);
    }
}
