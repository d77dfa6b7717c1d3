package io.streamdrz.topology;

import io.streamdrz.audio.PcmDecoder;
import io.streamdrz.audio.SampleEncoding;
import io.streamdrz.schema.AudioEncoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * AudioFrame payloads to mono float samples (through the engine's {@link PcmDecoder},
 * so frames decode exactly as files do), and float samples to and from the bytes kept
 * in state stores.
 */
final class FramePayloads {

    private FramePayloads() {
    }

    /** The engine's name for an AudioFrame encoding. */
    static SampleEncoding sampleEncoding(AudioEncoding encoding) {
        return switch (encoding) {
            case PCM_S16LE -> SampleEncoding.PCM_S16LE;
            case PCM_F32LE -> SampleEncoding.PCM_F32LE;
            case MULAW -> SampleEncoding.MULAW;
            case ALAW -> SampleEncoding.ALAW;
        };
    }

    static int bytesPerSample(AudioEncoding encoding) {
        return sampleEncoding(encoding).bytesPerSample();
    }

    /**
     * Decodes interleaved samples and averages the channels. The caller has checked
     * that the payload holds whole frames of samples.
     */
    static float[] decodeMono(ByteBuffer payload, AudioEncoding encoding, int channels) {
        if (payload.hasArray()) {
            return PcmDecoder.decodeMono(payload.array(), payload.arrayOffset() + payload.position(),
                    payload.remaining(), sampleEncoding(encoding), channels);
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return PcmDecoder.decodeMono(bytes, 0, bytes.length, sampleEncoding(encoding), channels);
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
