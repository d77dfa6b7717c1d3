package io.streamdrz.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Values from ITU-T G.711's tables (and its reference code, g711.c). */
class G711Test {

    @Test
    void muLawReferenceValues() {
        assertEquals(0, G711.mulawToLinear((byte) 0xFF));
        assertEquals(0, G711.mulawToLinear((byte) 0x7F));
        assertEquals(-32124, G711.mulawToLinear((byte) 0x00));
        assertEquals(32124, G711.mulawToLinear((byte) 0x80));
        assertEquals(-8, G711.mulawToLinear((byte) 0x7E));
        assertEquals(8, G711.mulawToLinear((byte) 0xFE));
        assertEquals(-16, G711.mulawToLinear((byte) 0x7D));
    }

    @Test
    void aLawReferenceValues() {
        assertEquals(8, G711.alawToLinear((byte) 0xD5));
        assertEquals(-8, G711.alawToLinear((byte) 0x55));
        assertEquals(32256, G711.alawToLinear((byte) 0xAA));
        assertEquals(-32256, G711.alawToLinear((byte) 0x2A));
        assertEquals(24, G711.alawToLinear((byte) 0xD4));
    }

    @Test
    void bothLawsAreOddSymmetricAndMonotoneInMagnitude() {
        for (int code = 0; code < 128; code++) {
            // flipping the sign bit negates the value
            assertEquals(-G711.mulawToLinear((byte) code), G711.mulawToLinear((byte) (code | 0x80)));
            assertEquals(-G711.alawToLinear((byte) code), G711.alawToLinear((byte) (code | 0x80)));
        }
        // mu-law: magnitude falls as the (inverted) code rises within one sign
        for (int code = 0x80; code < 0xFF; code++) {
            assertTrue(G711.mulawToLinear((byte) code) > G711.mulawToLinear((byte) (code + 1)));
        }
    }
}
