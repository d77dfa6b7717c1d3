package io.streamdrz.inference;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Frame-wise speech probability from Silero VAD v5 (inputs {@code input}, {@code state},
 * {@code sr}), for 8 or 16 kHz audio, many signals at once. Each signal starts from a
 * fresh state, so its answer depends on it alone. The Python twin is
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
        float[] state = new float[2 * batch * STATE];
        float[] input = new float[batch * width];
        try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) sampleRate)) {
            for (int k = 0; k < windows; k++) {
                for (int b = 0; b < batch; b++) {
                    int start = offset + k * window;
                    // the window with the `context` samples before it (zeros before the first)
                    for (int i = 0; i < width; i++) {
                        int at = start - context + i;
                        input[b * width + i] = at >= offset ? audio[b][at] : 0f;
                    }
                }
                state = step(input, batch, width, state, sr, out, k);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed: " + e.getMessage(), e);
        }
        return out;
    }

    private float[] step(float[] input, int batch, int width, float[] state, OnnxTensor sr, float[][] out, int k)
            throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[]{batch, width});
             OnnxTensor s = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[]{2, batch, STATE});
             OrtSession.Result r = session.run(Map.of("input", x, "state", s, "sr", sr))) {
            float[][] p = (float[][]) r.get(0).getValue();
            for (int b = 0; b < batch; b++) {
                out[b][k] = p[b][0];
            }
            FloatBuffer next = ((OnnxTensor) r.get(1)).getFloatBuffer();
            float[] copy = new float[next.remaining()];
            next.get(copy);
            return copy;
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
