package io.streamdrz.client;

import io.streamdrz.schema.AudioEncoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Float samples to AudioFrame payload bytes, for producers: little-endian PCM16 or
 * float32, or G.711 mu-law/A-law (the ITU-T G.711 reference segment encoding).
 * Mono input is written to every channel.
 */
public final class FrameEncoding {

    private static final int G711_CLIP = 32635;

    private FrameEncoding() {
    }

    /** Bytes one sample of one channel takes. */
    public static int bytesPerSample(AudioEncoding encoding) {
        return switch (encoding) {
            case PCM_S16LE -> 2;
            case PCM_F32LE -> 4;
            case MULAW, ALAW -> 1;
        };
    }

    /** The encoding named as on the command line: s16le, f32le, mulaw (ulaw), alaw, or the enum name. */
    public static AudioEncoding parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (n) {
            case "s16le", "pcm_s16le", "s16" -> AudioEncoding.PCM_S16LE;
            case "f32le", "pcm_f32le", "f32", "float" -> AudioEncoding.PCM_F32LE;
            case "mulaw", "ulaw", "mu_law", "pcmu" -> AudioEncoding.MULAW;
            case "alaw", "a_law", "pcma" -> AudioEncoding.ALAW;
            default -> throw new IllegalArgumentException("unknown encoding '" + name
                    + "' (expected s16le, f32le, mulaw or alaw)");
        };
    }

    /** {@code length} mono samples from {@code offset}, clipped to [-1, 1) where the encoding is integer. */
    public static ByteBuffer encode(float[] samples, int offset, int length, AudioEncoding encoding, int channels) {
        ByteBuffer out = ByteBuffer.allocate(length * channels * bytesPerSample(encoding)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = offset; i < offset + length; i++) {
            float x = samples[i];
            for (int c = 0; c < channels; c++) {
                switch (encoding) {
                    case PCM_S16LE -> out.putShort((short) toPcm16(x));
                    case PCM_F32LE -> out.putFloat(x);
                    case MULAW -> out.put(linearToMulaw(toPcm16(x)));
                    case ALAW -> out.put(linearToAlaw(toPcm16(x)));
                    default -> throw new AssertionError(encoding);
                }
            }
        }
        return out.flip();
    }

    static int toPcm16(float x) {
        return (int) Math.max(-32768, Math.min(32767, Math.round(x * 32768.0)));
    }

    /** G.711 mu-law code of a 16-bit linear sample. */
    static byte linearToMulaw(int pcm) {
        int sign = pcm < 0 ? 0x80 : 0;
        int magnitude = Math.min(Math.abs(pcm), G711_CLIP) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    /** G.711 A-law code of a 16-bit linear sample. */
    static byte linearToAlaw(int pcm) {
        int sign = pcm >= 0 ? 0x80 : 0;
        int magnitude = Math.min(Math.abs(pcm), G711_CLIP);
        int code;
        if (magnitude >= 256) {
            int exponent = 7;
            for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 1; mask >>= 1) {
                exponent--;
            }
            code = (exponent << 4) | ((magnitude >> (exponent + 3)) & 0x0F);
        } else {
            code = magnitude >> 4;
        }
        return (byte) ((code | sign) ^ 0x55);
    }
}
