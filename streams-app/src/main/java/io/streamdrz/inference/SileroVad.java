package io.streamdrz.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Frame-wise speech probability from Silero VAD v5 (inputs {@code input}, {@code state},
 * {@code sr}), for 8 or 16 kHz audio, many signals at once. Each signal starts from a
 * fresh state, so its answer depends on it alone. Windows that are a phone keypad tone
 * ({@link KeypadTones}), and the few after them while Silero's state still rings, get 0:
 * Silero takes key presses for speech now and then. The Python twin is
 * {@code SileroVad} in {@code models/vad.py}. The session is thread-safe.
 */
public final class SileroVad implements AutoCloseable {

    private static final int STATE = 128;

    private final OrtEnvironment env;
    private final OrtSession session;

    SileroVad(OrtEnvironment env, OrtSession session) {
        this.env = env;
        this.session = session;
    }

    /** Samples per window at {@code sampleRate}: 32 ms. */
    public static int windowSamples(int sampleRate) {
        return switch (sampleRate) {
            case 16_000 -> 512;
            case 8_000 -> 256;
            default -> throw new IllegalArgumentException("Silero VAD runs at 8 or 16 kHz, not " + sampleRate);
        };
    }

    private static int contextSamples(int sampleRate) {
        return windowSamples(sampleRate) / 8;
    }

    /**
     * Speech probability per whole window of {@code length} samples starting at
     * {@code offset} in each of {@code audio}'s rows.
     */
    public float[][] probabilities(float[][] audio, int offset, int length, int sampleRate) {
        int window = windowSamples(sampleRate);
        int context = contextSamples(sampleRate);
        int batch = audio.length;
        int windows = length / window;
        int width = context + window;
        float[][] out = new float[batch][windows];
        // direct buffers: ONNX Runtime reads them in place, with no copy per window
        FloatBuffer input = ByteBuffer.allocateDirect(4 * batch * width).order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer state = ByteBuffer.allocateDirect(4 * 2 * batch * STATE).order(ByteOrder.nativeOrder()).asFloatBuffer();
        try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) sampleRate)) {
            for (int k = 0; k < windows; k++) {
                input.clear();
                for (int b = 0; b < batch; b++) {
                    int start = offset + k * window;
                    // the window with the `context` samples before it (zeros before the first)
                    for (int i = 0; i < width; i++) {
                        int at = start - context + i;
                        input.put(at >= offset ? audio[b][at] : 0f);
                    }
                }
                step(input.rewind(), batch, width, state.rewind(), sr, out, k);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed: " + e.getMessage(), e);
        }
        KeypadTones tones = KeypadTones.at(sampleRate);
        for (int b = 0; b < batch; b++) {
            int quiet = 0;
            for (int k = 0; k < windows; k++) {
                quiet = silenceTone(tones, audio[b], offset + k * window, out[b], k, quiet);
            }
        }
        return out;
    }

    /**
     * Sets {@code probs[k]} to 0 if the window of {@code samples} from {@code start} is a
     * keypad tone or within {@link KeypadTones#SHADOW} windows after one. {@code quiet}:
     * the windows the tones before still silence, this one included; returns the same
     * for the next window.
     */
    private static int silenceTone(KeypadTones tones, float[] samples, int start, float[] probs, int k, int quiet) {
        int left = tones.isTone(samples, start) ? KeypadTones.SHADOW + 1 : quiet;
        if (left > 0) {
            probs[k] = 0f;
            return left - 1;
        }
        return 0;
    }

    private void step(FloatBuffer input, int batch, int width, FloatBuffer state, OnnxTensor sr, float[][] out, int k)
            throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, input, new long[]{batch, width});
             OnnxTensor s = OnnxTensor.createTensor(env, state, new long[]{2, batch, STATE});
             OrtSession.Result r = session.run(Map.of("input", x, "state", s, "sr", sr))) {
            FloatBuffer p = ((OnnxTensor) r.get(0)).getFloatBuffer();
            for (int b = 0; b < batch; b++) {
                out[b][k] = p.get(b);
            }
            state.clear();
            state.put(((OnnxTensor) r.get(1)).getFloatBuffer());
        }
    }

    /** The live windows' speech of one call ({@link LiveSpeech}), its stream fresh at each chunk start. */
    public LiveSpeech live(VadSpec spec, int sampleRate, int chunkSamples) {
        return new LiveSpeech(this, spec, sampleRate, chunkSamples);
    }

    /** A stream of one signal's audio, for {@link Stream#push}. */
    public Stream stream(int sampleRate) {
        return new Stream(sampleRate);
    }

    /**
     * One signal heard as it arrives: each {@link #push} gives the probabilities of the
     * windows it completes, with the state carried from the previous push, so pushing a
     * signal in pieces gives what {@link #probabilities} gives for it whole. Not
     * thread-safe: one owner at a time.
     */
    public final class Stream {

        private final int rate;
        private final int window;
        private final int context;
        private final FloatBuffer input;
        private final FloatBuffer state = ByteBuffer.allocateDirect(4 * 2 * STATE).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        /** The last {@code context} samples heard, then a window's worth still incomplete. */
        private float[] pending;
        /** Windows still to be silenced after a keypad tone. */
        private int quiet;

        private Stream(int rate) {
            this.rate = rate;
            this.window = windowSamples(rate);
            this.context = contextSamples(rate);
            this.input = ByteBuffer.allocateDirect(4 * (context + window)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            this.pending = new float[context];
        }

        /** The next samples of the signal; the speech probability of every window they complete. */
        public float[] push(float[] samples) {
            float[] all = Arrays.copyOf(pending, pending.length + samples.length);
            System.arraycopy(samples, 0, all, pending.length, samples.length);
            int n = (all.length - context) / window;
            float[][] out = new float[1][n];
            try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) rate)) {
                for (int k = 0; k < n; k++) {
                    input.clear();
                    input.put(all, k * window, context + window);
                    step(input.rewind(), 1, context + window, state.rewind(), sr, out, k);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("Silero VAD failed: " + e.getMessage(), e);
            }
            KeypadTones tones = KeypadTones.at(rate);
            for (int k = 0; k < n; k++) {
                quiet = silenceTone(tones, all, context + k * window, out[0], k, quiet);
            }
            pending = Arrays.copyOfRange(all, n * window, all.length);
            return out[0];
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
