package io.streamdrz.audio;

/**
 * G.711 expansion (ITU-T G.711 reference algorithm) to 16-bit linear values, through
 * two 256-entry tables built once. Only decoding is needed: calls arrive companded,
 * the model wants linear samples.
 */
public final class G711 {

    private static final short[] MULAW = new short[256];
    private static final short[] ALAW = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            MULAW[i] = (short) expandMulaw(i);
            ALAW[i] = (short) expandAlaw(i);
        }
    }

    private G711() {
    }

    /** The 16-bit linear value of a mu-law byte (range -32124..32124). */
    public static short mulawToLinear(byte code) {
        return MULAW[code & 0xFF];
    }

    /** The 16-bit linear value of an A-law byte (range -32256..32256). */
    public static short alawToLinear(byte code) {
        return ALAW[code & 0xFF];
    }

    private static int expandMulaw(int code) {
        int u = ~code & 0xFF;
        int exponent = (u >> 4) & 0x07;
        int mantissa = u & 0x0F;
        int magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
        return (u & 0x80) != 0 ? -magnitude : magnitude;
    }

    private static int expandAlaw(int code) {
        int a = (code ^ 0x55) & 0xFF;
        int exponent = (a >> 4) & 0x07;
        int mantissa = a & 0x0F;
        int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        // In A-law the sign bit set means positive.
        return (a & 0x80) != 0 ? magnitude : -magnitude;
    }
}
