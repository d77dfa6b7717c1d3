package io.streamdrz.recipe;

import io.streamdrz.inference.ModelContract;

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

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What revised labels add to every chunk: its pieces for the final pass
 * ({@link FinalLabels#pieces}: an 8 s chunk of four segments, each piece's voice and its
 * cepstral statistics, which take the chunk's log-mel once more). Compare with
 * {@code ChunkBench.chunk} at batch 1, the model's own cost per chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FinalPiecesBench {

    private ModelContract contract;
    private float[] embeddings;
    private float[] chunk;
    private final List<CallSegment> segments = List.of(new CallSegment(80.1, 81.9, 0, 0.9, 10),
            new CallSegment(82.2, 84.1, 1, 0.9, 10), new CallSegment(84.4, 86.0, 0, 0.9, 10),
            new CallSegment(86.3, 87.9, 1, 0.9, 10));

    @Setup(Level.Trial)
    public void setUp() {
        contract = Voices.shippedContract();
        Random rng = new Random(0);
        embeddings = new float[contract.encoderFrames * contract.speakerDim];
        for (int i = 0; i < embeddings.length; i++) {
            embeddings[i] = (float) rng.nextGaussian();
        }
        chunk = new float[contract.chunkSamples()];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (float) (0.1 * Math.sin(i * 0.05) + 0.01 * rng.nextGaussian());
        }
    }

    @Benchmark
    public List<FinalPiece> pieces() {
        return FinalLabels.pieces(contract, segments, 10, embeddings, chunk);
    }

    @Benchmark
    public List<FinalPiece> piecesWithoutCepstra() {
        return FinalLabels.pieces(contract, segments, 10, embeddings, null);
    }
}
