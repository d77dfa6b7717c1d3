package io.streamdrz.topology;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A call converted chunk by chunk as it arrives gives each chunk exactly as the assembler converts it. */
class ChunkResamplerTest {

    private static final int MODEL = 16_000;
    private static final int CHUNK = 2 * MODEL;      // 2 s chunks at the model's rate

    private static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 0.1);
        }
        return x;
    }

    /** The model-rate audio the pieces cover, from model sample {@code from}; NaN where none came. */
    private static float[] heard(List<ChunkResampler.Piece> pieces, long from, int length) {
        float[] out = new float[length];
        Arrays.fill(out, Float.NaN);
        for (ChunkResampler.Piece p : pieces) {
            for (int i = 0; i < p.samples().length; i++) {
                long at = p.start() + i - from;
                if (at >= 0 && at < length) {
                    out[(int) at] = p.samples()[i];
                }
            }
        }
        return out;
    }

    private static List<ChunkResampler.Piece> play(ChunkResampler r, float[] call, int rate, int from, int frame,
                                                   int skipFrame) {
        List<ChunkResampler.Piece> pieces = new java.util.ArrayList<>();
        for (int at = from, i = 0; at < call.length; at += frame, i++) {
            if (i == skipFrame) {
                continue;       // a lost frame: the ring and the assembler hear silence there
            }
            pieces.addAll(r.write(at, Arrays.copyOfRange(call, at, Math.min(call.length, at + frame))));
        }
        return pieces;
    }

    @Test
    void eachWholeChunkIsTheAssemblersConversionOfIt() {
        for (int rate : new int[]{8_000, 48_000}) {
            int chunkIn = CHUNK * rate / MODEL;
            float[] call = noise(chunkIn * 5 / 2, rate);
            ChunkResampler r = new ChunkResampler(rate, MODEL, CHUNK);
            List<ChunkResampler.Piece> pieces = play(r, call, rate, 0, rate / 50, -1);
            for (int k = 0; k < 2; k++) {
                float[] want = Resampling.convert(Arrays.copyOfRange(call, k * chunkIn, (k + 1) * chunkIn), rate, MODEL,
                        CHUNK);
                assertArrayEquals(want, heard(pieces, (long) k * CHUNK, CHUNK), rate + " Hz chunk " + k);
            }
            assertTrue(r.exact(1), "the newest whole chunk is exact");
            assertFalse(r.exact(2), "the third chunk has not ended");
        }
    }

    @Test
    void aLostFrameIsSilenceAsTheAssemblerHearsIt() {
        int rate = 8_000;
        int chunkIn = CHUNK / 2;
        float[] call = noise(chunkIn, 7);
        ChunkResampler r = new ChunkResampler(rate, MODEL, CHUNK);
        List<ChunkResampler.Piece> pieces = play(r, call, rate, 0, 160, 10);
        float[] filled = call.clone();
        Arrays.fill(filled, 10 * 160, 11 * 160, 0f);
        assertArrayEquals(Resampling.convert(filled, rate, MODEL, CHUNK), heard(pieces, 0, CHUNK));
        assertTrue(r.exact(0));
    }

    @Test
    void aChunkHeardFromItsMiddleIsNotExactButTheNextIs() {
        int rate = 8_000;
        int chunkIn = CHUNK / 2;
        float[] call = noise(chunkIn * 2, 9);
        ChunkResampler r = new ChunkResampler(rate, MODEL, CHUNK);
        List<ChunkResampler.Piece> pieces = play(r, call, rate, 3_200, 160, -1);
        assertFalse(r.exact(0), "heard from 0.4 s on");
        assertTrue(r.exact(1));
        assertEquals(6_400, pieces.get(0).start(), "its audio lands at its own model time");
    }
}
