package io.streamdrz.audio;

/**
 * Interleaved sample bytes to mono float samples in [-1, 1): each sample is scaled by
 * its full-scale value (2^15 for 16-bit, so a PCM16 value k becomes exactly k/32768,
 * as soundfile and torchaudio read it) and the channels of a frame are averaged.
 *
 * <p>Shared by the WAV reader, raw files and (later) {@code AudioFrame} payloads.
 */
public final class PcmDecoder {

    private PcmDecoder() {
    }

    /** Number of whole frames in {@code length} bytes. */
    public static int frames(int length, SampleEncoding encoding, int channels) {
        return length / (encoding.bytesPerSample() * channels);
    }

    /**
     * Decodes {@code frames(length, ...)} whole frames starting at {@code offset} and
     * downmixes them to mono; a trailing partial frame is ignored (callers that must
     * reject it check {@code length} themselves).
     */
    public static float[] decodeMono(byte[] bytes, int offset, int length, SampleEncoding encoding, int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, not " + channels);
        }
        int bps = encoding.bytesPerSample();
        int n = frames(length, encoding, channels);
        float[] out = new float[n];
        int p = offset;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += sample(bytes, p, encoding);
                p += bps;
            }
            out[i] = channels == 1 ? (float) sum : (float) (sum / channels);
        }
        return out;
    }

    private static double sample(byte[] b, int p, SampleEncoding encoding) {
        switch (encoding) {
            case PCM_U8:
                return ((b[p] & 0xFF) - 128) / 128.0;
            case PCM_S16LE:
                return (short) ((b[p] & 0xFF) | (b[p + 1] << 8)) / 32768.0;
            case PCM_S24LE:
                return ((b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | (b[p + 2] << 16)) / 8388608.0;
            case PCM_S32LE:
                return int32(b, p) / 2147483648.0;
            case PCM_F32LE:
                return Float.intBitsToFloat(int32(b, p));
            case PCM_F64LE:
                return Double.longBitsToDouble((int32(b, p) & 0xFFFFFFFFL) | ((long) int32(b, p + 4) << 32));
            case MULAW:
                return G711.mulawToLinear(b[p]) / 32768.0;
            case ALAW:
                return G711.alawToLinear(b[p]) / 32768.0;
            default:
                throw new AssertionError(encoding);
        }
    }

    private static int int32(byte[] b, int p) {
        return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | ((b[p + 2] & 0xFF) << 16) | (b[p + 3] << 24);
    }
}
