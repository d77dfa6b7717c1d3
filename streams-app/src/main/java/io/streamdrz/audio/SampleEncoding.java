package io.streamdrz.audio;

/**
 * How one sample of one channel is stored in a byte stream. Covers what WAV files and
 * phone systems deliver: linear PCM of 8 to 32 bits, IEEE float, and the two G.711
 * companding laws. Multi-byte encodings are little-endian (the WAV byte order).
 */
public enum SampleEncoding {
    /** Unsigned 8-bit linear PCM (the only unsigned WAV format), centred on 128. */
    PCM_U8(1),
    PCM_S16LE(2),
    PCM_S24LE(3),
    PCM_S32LE(4),
    PCM_F32LE(4),
    PCM_F64LE(8),
    /** G.711 mu-law, one byte per sample (North America, Japan). */
    MULAW(1),
    /** G.711 A-law, one byte per sample (Europe and most other networks). */
    ALAW(1);

    private final int bytesPerSample;

    SampleEncoding(int bytesPerSample) {
        this.bytesPerSample = bytesPerSample;
    }

    public int bytesPerSample() {
        return bytesPerSample;
    }

    /**
     * The encoding named as on the command line or in an {@code AudioFrame}: {@code s16le},
     * {@code pcm_s16le}, {@code f32le}, {@code mulaw}/{@code ulaw}, {@code alaw}, ...
     */
    public static SampleEncoding parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("pcm_")) {
            n = n.substring(4);
        }
        switch (n) {
            case "u8": return PCM_U8;
            case "s16le": case "s16": return PCM_S16LE;
            case "s24le": case "s24": return PCM_S24LE;
            case "s32le": case "s32": return PCM_S32LE;
            case "f32le": case "f32": case "float": return PCM_F32LE;
            case "f64le": case "f64": case "double": return PCM_F64LE;
            case "mulaw": case "ulaw": case "mu_law": case "pcmu": return MULAW;
            case "alaw": case "a_law": case "pcma": return ALAW;
            default:
                throw new IllegalArgumentException("unknown sample encoding '" + name
                        + "' (expected one of s16le, s24le, s32le, u8, f32le, f64le, mulaw, alaw)");
        }
    }
}
