package io.streamdrz.client;

import io.streamdrz.audio.G711;
import io.streamdrz.audio.PcmDecoder;
import io.streamdrz.audio.SampleEncoding;
import io.streamdrz.schema.AudioEncoding;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What producers write decodes, through the engine's decoder, to what they meant. */
class FrameEncodingTest {

    @Test
    void g711EncodingInvertsTheEnginesDecodingForEveryCode() {
        for (int code = 0; code < 256; code++) {
            short mu = G711.mulawToLinear((byte) code);
            short a = G711.alawToLinear((byte) code);
            // Both laws have two codes for zero; re-encoding a decoded value must give back that value.
            assertEquals(mu, G711.mulawToLinear(FrameEncoding.linearToMulaw(mu)), "mu-law code " + code);
            assertEquals(a, G711.alawToLinear(FrameEncoding.linearToAlaw(a)), "A-law code " + code);
        }
    }

    @Test
    void g711QuantizationErrorIsWithinItsStep() {
        for (int x = -32768; x <= 32767; x += 7) {
            int mu = G711.mulawToLinear(FrameEncoding.linearToMulaw(x));
            int a = G711.alawToLinear(FrameEncoding.linearToAlaw(x));
            int tolerance = Math.max(16, Math.abs(x) / 16) + 132;
            assertEquals(Math.max(-32124, Math.min(32124, x)), mu, tolerance, "mu-law " + x);
            assertEquals(Math.max(-32256, Math.min(32256, x)), a, tolerance, "A-law " + x);
        }
    }

    @Test
    void pcmRoundTripsThroughTheEnginesDecoderWithChannelsAveraged() {
        float[] samples = {0f, 0.5f, -0.25f, 0.999f, -1f};
        for (AudioEncoding encoding : new AudioEncoding[] {AudioEncoding.PCM_S16LE, AudioEncoding.PCM_F32LE}) {
            ByteBuffer payload = FrameEncoding.encode(samples, 0, samples.length, encoding, 2);
            assertEquals(samples.length * 2 * FrameEncoding.bytesPerSample(encoding), payload.remaining());
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            SampleEncoding engine = SampleEncoding.valueOf(encoding.name());
            float[] decoded = PcmDecoder.decodeMono(bytes, 0, bytes.length, engine, 2);
            assertArrayEquals(samples, decoded, 1 / 32768f, encoding.name());
        }
    }

    @Test
    void encodingNames() {
        assertEquals(AudioEncoding.MULAW, FrameEncoding.parse("ulaw"));
        assertEquals(AudioEncoding.ALAW, FrameEncoding.parse("A-law"));
        assertEquals(AudioEncoding.PCM_F32LE, FrameEncoding.parse("f32le"));
        assertEquals(AudioEncoding.PCM_S16LE, FrameEncoding.parse("PCM_S16LE"));
        assertThrows(IllegalArgumentException.class, () -> FrameEncoding.parse("opus"));
    }
}
