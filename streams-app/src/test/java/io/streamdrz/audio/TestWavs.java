package io.streamdrz.audio;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files byte by byte, so tests control every header field. */
final class TestWavs {

    private TestWavs() {
    }

    static byte[] wav(int tag, int channels, int rate, int bits, byte[] data) {
        return wav(tag, channels, rate, bits, data, false);
    }

    /** A RIFF/WAVE file; with {@code extensible}, tag goes into a WAVE_FORMAT_EXTENSIBLE sub-format GUID. */
    static byte[] wav(int tag, int channels, int rate, int bits, byte[] data, boolean extensible) {
        int blockAlign = channels * bits / 8;
        ByteBuffer fmt = ByteBuffer.allocate(extensible ? 40 : 16).order(ByteOrder.LITTLE_ENDIAN);
        fmt.putShort((short) (extensible ? 0xFFFE : tag)).putShort((short) channels).putInt(rate)
                .putInt(rate * blockAlign).putShort((short) blockAlign).putShort((short) bits);
        if (extensible) {
            fmt.putShort((short) 22).putShort((short) bits).putInt(0);
            fmt.putShort((short) tag).put(new byte[]{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00,
                (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(4 + 8 + fmt.capacity() + 8 + 8 + data.length + (data.length & 1)));
        out.writeBytes("WAVE".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("fmt ".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(fmt.capacity()));
        out.writeBytes(fmt.array());
        // an unknown chunk the reader must step over (odd size: tests the pad byte)
        out.writeBytes("LIST".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(3));
        out.writeBytes(new byte[]{1, 2, 3, 0});
        out.writeBytes("data".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(le32(data.length));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] pcm16(short... samples) {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }

    static byte[] f32(float... samples) {
        ByteBuffer b = ByteBuffer.allocate(samples.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float s : samples) {
            b.putFloat(s);
        }
        return b.array();
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
