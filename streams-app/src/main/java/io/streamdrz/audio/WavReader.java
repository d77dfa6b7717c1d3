package io.streamdrz.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RIFF/WAVE files: linear PCM (format tag 1; 8, 16, 24 or 32 bit), IEEE float (tag 3;
 * 32 or 64 bit), A-law (tag 6) and mu-law (tag 7), and WAVE_FORMAT_EXTENSIBLE (0xFFFE)
 * carrying any of these; any number of channels (downmixed) and any sample rate.
 *
 * <p>Anything else, and damaged files, raise {@link AudioDecodeException} naming the
 * file and the problem.
 */
public final class WavReader {

    private static final int TAG_PCM = 1;
    private static final int TAG_FLOAT = 3;
    private static final int TAG_ALAW = 6;
    private static final int TAG_MULAW = 7;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID built from a format tag. */
    private static final byte[] SUBTYPE_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};

    private WavReader() {
    }

    private static final Logger log = LoggerFactory.getLogger(WavReader.class);

    /**
     * Where the samples lie in a WAV file and how they are stored. {@code declaredLength}
     * is what the data chunk's header promises; more than {@code dataLength} when the
     * file was cut short (a recorder that crashed, a copy that stopped).
     */
    public record Layout(SampleEncoding encoding, int channels, int sampleRate, int dataOffset, int dataLength,
                         long declaredLength) {

        public boolean truncated() {
            return declaredLength > dataLength;
        }

        public int frames() {
            return dataLength / (encoding.bytesPerSample() * channels);
        }

        public double seconds() {
            return frames() / (double) sampleRate;
        }
    }

    /** True when the bytes start like a RIFF/WAVE file. */
    public static boolean looksLikeWav(byte[] head) {
        return head.length >= 12 && ascii(head, 0).equals("RIFF") && ascii(head, 8).equals("WAVE");
    }

    public static AudioClip read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes a whole WAV file held in memory; {@code source} names it in errors. A file
     * cut short is decoded up to the cut, with a warning.
     */
    public static AudioClip decode(byte[] bytes, String source) throws AudioDecodeException {
        return decode(bytes, source, false);
    }

    /** As {@link #decode(byte[], String)}; with {@code strict} a file cut short is refused instead. */
    public static AudioClip decode(byte[] bytes, String source, boolean strict) throws AudioDecodeException {
        Layout layout = layout(bytes, source);
        if (layout.truncated()) {
            String problem = "truncated: the data chunk declares " + layout.declaredLength() + " bytes but only "
                    + layout.dataLength() + " follow";
            if (strict) {
                throw new AudioDecodeException(source, problem);
            }
            log.warn("{}: {}; decoding the {} s before the cut", source, problem,
                    String.format(java.util.Locale.ROOT, "%.2f", layout.seconds()));
        }
        float[] samples = PcmDecoder.decodeMono(bytes, layout.dataOffset(), layout.dataLength(),
                layout.encoding(), layout.channels());
        return new AudioClip(samples, layout.sampleRate());
    }

    /** Parses the header chunks only: format and the position of the samples. */
    public static Layout layout(byte[] b, String source) throws AudioDecodeException {
        return layout(b, b.length, source);
    }

    /**
     * Like {@link #layout(byte[], String)} from the first bytes of a file of
     * {@code fileLength} bytes: enough to learn a file's duration without reading it.
     */
    public static Layout layout(byte[] b, long fileLength, String source) throws AudioDecodeException {
        if (b.length >= 4 && ascii(b, 0).equals("RF64")) {
            throw new AudioDecodeException(source, "RF64 (WAV over 4 GB) is not supported");
        }
        if (fileLength == 0) {
            throw new AudioDecodeException(source, "empty file (0 bytes)");
        }
        if (!looksLikeWav(b)) {
            throw new AudioDecodeException(source, "not a WAV file (no RIFF/WAVE header)");
        }
        int p = 12;
        int tag = -1;
        int channels = 0;
        int rate = 0;
        int blockAlign = 0;
        int bits = 0;
        while (p + 8 <= b.length) {
            String id = ascii(b, p);
            long size = u32(b, p + 4);
            int body = p + 8;
            if (id.equals("fmt ")) {
                if (size < 16 || body + size > b.length) {
                    throw new AudioDecodeException(source, "fmt chunk is " + (size < 16 ? "too short" : "truncated")
                            + " (" + size + " bytes)");
                }
                tag = u16(b, body);
                channels = u16(b, body + 2);
                rate = (int) Math.min(Integer.MAX_VALUE, u32(b, body + 4));
                blockAlign = u16(b, body + 12);
                bits = u16(b, body + 14);
                if (tag == TAG_EXTENSIBLE) {
                    int cbSize = size >= 18 ? u16(b, body + 16) : 0;
                    if (size < 40 || cbSize < 22) {
                        throw new AudioDecodeException(source, "WAVE_FORMAT_EXTENSIBLE fmt chunk is too short");
                    }
                    int guid = body + 24;
                    for (int i = 0; i < SUBTYPE_TAIL.length; i++) {
                        if (b[guid + 2 + i] != SUBTYPE_TAIL[i]) {
                            throw new AudioDecodeException(source,
                                    "WAVE_FORMAT_EXTENSIBLE with a sub-format that is not a WAV format tag");
                        }
                    }
                    tag = u16(b, guid);
                }
            } else if (id.equals("data")) {
                if (tag < 0) {
                    throw new AudioDecodeException(source, "data chunk before the fmt chunk");
                }
                SampleEncoding encoding = encoding(tag, bits, source);
                if (channels < 1) {
                    throw new AudioDecodeException(source, "fmt chunk says " + channels + " channels");
                }
                if (rate < 1) {
                    throw new AudioDecodeException(source, "fmt chunk says sample rate " + rate);
                }
                int frameBytes = encoding.bytesPerSample() * channels;
                if (blockAlign != frameBytes) {
                    throw new AudioDecodeException(source, "block align " + blockAlign + " does not match "
                            + channels + " channel(s) of " + bits + " bits");
                }
                long available = fileLength - body;
                long length = size;
                // Writers that stream (pipes, crashed recorders) leave 0 or 0xFFFFFFFF: take what is there.
                if (size == 0 || size == 0xFFFFFFFFL) {
                    length = available - available % frameBytes;
                } else if (size > available) {
                    length = available - available % frameBytes;
                    return new Layout(encoding, channels, rate, body, (int) length, size);
                } else if (size % frameBytes != 0) {
                    throw new AudioDecodeException(source, "data chunk of " + size
                            + " bytes is not a whole number of " + frameBytes + "-byte frames");
                }
                return new Layout(encoding, channels, rate, body, (int) length, length);
            }
            p = (int) Math.min(Integer.MAX_VALUE, body + size + (size & 1));   // chunks are word aligned
        }
        throw new AudioDecodeException(source, tag < 0 ? "no fmt chunk" : "no data chunk");
    }

    private static SampleEncoding encoding(int tag, int bits, String source) throws AudioDecodeException {
        switch (tag) {
            case TAG_PCM:
                switch (bits) {
                    case 8: return SampleEncoding.PCM_U8;
                    case 16: return SampleEncoding.PCM_S16LE;
                    case 24: return SampleEncoding.PCM_S24LE;
                    case 32: return SampleEncoding.PCM_S32LE;
                    default: break;
                }
                throw new AudioDecodeException(source, "unsupported PCM sample size: " + bits + " bits");
            case TAG_FLOAT:
                if (bits == 32) {
                    return SampleEncoding.PCM_F32LE;
                }
                if (bits == 64) {
                    return SampleEncoding.PCM_F64LE;
                }
                throw new AudioDecodeException(source, "unsupported float sample size: " + bits + " bits");
            case TAG_ALAW:
            case TAG_MULAW:
                if (bits != 8) {
                    throw new AudioDecodeException(source, "G.711 with " + bits + " bits per sample (expected 8)");
                }
                return tag == TAG_ALAW ? SampleEncoding.ALAW : SampleEncoding.MULAW;
            default:
                throw new AudioDecodeException(source, String.format(
                        "unsupported WAV format tag 0x%04X (supported: PCM, IEEE float, A-law, mu-law)", tag));
        }
    }

    private static String ascii(byte[] b, int p) {
        if (p + 4 > b.length) {
            return "";
        }
        return new String(b, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | ((b[p + 1] & 0xFFL) << 8) | ((b[p + 2] & 0xFFL) << 16) | ((b[p + 3] & 0xFFL) << 24);
    }
}
