package io.streamdrz.topology;

import io.streamdrz.audio.AudioResampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A call's audio at the model's rate as it arrives, converted chunk by chunk the way
 * {@link ChunkAssembler} converts each whole chunk ({@link Resampling#convert}): a fresh
 * converter at every chunk start, flushed and cut to the chunk's length at its end. So the
 * live labels' VAD stream hears, of a chunk, the audio the final run gets, and the final
 * run can take that chunk's speech from it ({@link HeardChunks}). Each finished chunk is
 * checked against the whole-chunk conversion; a chunk this instance did not hear from its
 * start (after a restart), or that differs, is not {@link #exact}. One owner at a time.
 */
final class ChunkResampler {

    /** Model-rate samples starting at the call's model sample {@code start}. */
    record Piece(long start, float[] samples) {
    }

    private final int rate;
    private final int modelRate;
    private final int chunkSamples;
    private AudioResampler converter;
    private int chunk = -1;
    /** Call samples of the current chunk from where it began, as fed (zeros where a gap was). */
    private float[] input = new float[0];
    private int inputLength;
    private long fed;
    /** Model-rate samples given out for the current chunk, and the call's model sample of the first. */
    private final float[] output;
    private int outputLength;
    private long outputStart;
    private boolean fromStart;
    private int exactChunk = -1;

    ChunkResampler(int rate, int modelRate, int chunkSamples) {
        this.rate = rate;
        this.modelRate = modelRate;
        this.chunkSamples = chunkSamples;
        this.output = new float[chunkSamples];
    }

    int chunkSamples() {
        return chunkSamples;
    }

    /** The call's samples from {@code position} on; the model-rate audio they complete. */
    List<Piece> write(long position, float[] samples) {
        List<Piece> out = new ArrayList<>();
        int at = 0;
        if (converter != null && position > fed) {
            long gap = Math.min(position - fed, chunkStart(chunk + 1) - fed);
            feed(new float[(int) gap], 0, (int) gap, out);      // the assembler fills gaps with silence
        }
        if (converter != null && position < fed) {
            at = (int) Math.min(samples.length, fed - position);   // heard already
        }
        while (at < samples.length) {
            long pos = position + at;
            if (converter == null || pos >= chunkStart(chunk + 1) || pos != fed) {
                begin(pos);
            }
            int n = (int) Math.min(samples.length - at, chunkStart(chunk + 1) - pos);
            feed(samples, at, n, out);
            at += n;
        }
        return out;
    }

    /** Whether chunk {@code k} was heard from its start and converted exactly as the assembler converts it. */
    boolean exact(int k) {
        return k == exactChunk;
    }

    private void begin(long pos) {
        int k = Math.max(0, chunk);
        while (chunkStart(k + 1) <= pos) {
            k++;
        }
        while (chunkStart(k) > pos) {
            k--;
        }
        chunk = k;
        converter = new AudioResampler(rate, modelRate);
        fed = pos;
        int length = (int) (chunkStart(k + 1) - pos);
        if (input.length < length) {
            input = new float[length];
        }
        inputLength = 0;
        outputLength = 0;
        fromStart = pos == chunkStart(k);
        outputStart = (long) k * chunkSamples + Math.round((pos - chunkStart(k)) * (double) modelRate / rate);
    }

    private void feed(float[] samples, int offset, int n, List<Piece> out) {
        System.arraycopy(samples, offset, input, inputLength, n);
        inputLength += n;
        fed += n;
        boolean end = fed == chunkStart(chunk + 1);
        give(converter.process(samples, offset, n, false), out);
        if (end) {
            give(converter.process(new float[0], 0, 0, true), out);
            finish(out);
        }
    }

    /** Appends converted samples, never past the chunk's end. */
    private void give(float[] converted, List<Piece> out) {
        long limit = (long) (chunk + 1) * chunkSamples;
        long start = outputStart + outputLength;
        int n = (int) Math.max(0, Math.min(converted.length, limit - start));
        if (n > 0) {
            float[] piece = Arrays.copyOf(converted, n);
            System.arraycopy(piece, 0, output, outputLength, n);
            outputLength += n;
            out.add(new Piece(start, piece));
        }
    }

    /** The chunk's end: zeros up to its length, as the assembler pads; then whether it came out exact. */
    private void finish(List<Piece> out) {
        long limit = (long) (chunk + 1) * chunkSamples;
        long start = outputStart + outputLength;
        if (start < limit) {
            float[] pad = new float[(int) (limit - start)];
            Arrays.fill(output, outputLength, outputLength + pad.length, 0f);
            outputLength += pad.length;
            out.add(new Piece(start, pad));
        }
        if (fromStart && Arrays.equals(output, Resampling.convert(Arrays.copyOf(input, inputLength), rate, modelRate,
                chunkSamples))) {
            exactChunk = chunk;
        }
        converter = null;
        chunk++;
    }

    /** The call's sample (at its own rate) where chunk {@code k} starts: the assembler's rule. */
    private long chunkStart(int k) {
        return (k * (long) chunkSamples * rate + modelRate / 2) / modelRate;
    }
}
