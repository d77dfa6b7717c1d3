package io.streamdrz.topology;

import io.streamdrz.schema.AudioEncoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * AudioFrame payloads to mono float samples, and float samples to and from the bytes
 * kept in state stores.
 *
 * TODO: delegate payload decoding to io.streamdrz.audio.PcmDecoder when the inference engine lands on main.
 */
final class FramePayloads {

    private FramePayloads() {
    }

    static int bytesPerSample(AudioEncoding encoding) {
        return switch (encoding) {
            case PCM_S16LE -> 2;
            case PCM_F32LE -> 4;
            case MULAW, ALAW -> 1;
        };
    }

    /**
     * Decodes interleaved samples and averages the channels. The caller has checked
     * that the payload holds whole frames of samples.
     */
    static float[] decodeMono(ByteBuffer payload, AudioEncoding encoding, int channels) {
        ByteBuffer in = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = in.remaining() / (bytesPerSample(encoding) * channels);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += switch (encoding) {
                    case PCM_S16LE -> in.getShort() / 32768.0;
                    case PCM_F32LE -> in.getFloat();
                    case MULAW -> mulaw(in.get()) / 32768.0;
                    case ALAW -> alaw(in.get()) / 32768.0;
                };
            }
            out[i] = (float) (channels == 1 ? sum : sum / channels);
        }
        return out;
    }

    private static int mulaw(byte code) {
        int u = ~code & 0xFF;
        int magnitude = ((((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
        return (u & 0x80) != 0 ? -magnitude : magnitude;
    }

    private static int alaw(byte code) {
        int a = (code ^ 0x55) & 0xFF;
        int exponent = (a >> 4) & 0x07;
        int mantissa = a & 0x0F;
        int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (a & 0x80) != 0 ? magnitude : -magnitude;
    }

    /** Samples as 32-bit little-endian floats, the form the state stores keep. */
    static ByteBuffer toBytes(float[] samples, int offset, int length) {
        ByteBuffer out = ByteBuffer.allocate(length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asFloatBuffer().put(samples, offset, length);
        return out;
    }

    static ByteBuffer toBytes(float[] samples) {
        return toBytes(samples, 0, samples.length);
    }

    static float[] fromBytes(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[in.remaining() / Float.BYTES];
        in.asFloatBuffer().get(out);
        return out;
    }

    static int sampleCount(ByteBuffer bytes) {
        return bytes.remaining() / Float.BYTES;
    }
}
