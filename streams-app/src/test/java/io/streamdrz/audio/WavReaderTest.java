package io.streamdrz.audio;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WavReaderTest {

    @Test
    void pcm16MonoIsReadAsKOver32768() throws Exception {
        AudioClip clip = WavReader.decode(TestWavs.wav(1, 1, 16000, 16,
                TestWavs.pcm16((short) 0, (short) 1, (short) -32768, (short) 32767, (short) 16384)), "a.wav");
        assertEquals(16000, clip.sampleRate());
        assertArrayEquals(new float[]{0f, 1f / 32768, -1f, 32767f / 32768, 0.5f}, clip.samples());
    }

    @Test
    void stereoIsDownmixedByAveraging() throws Exception {
        AudioClip clip = WavReader.decode(TestWavs.wav(1, 2, 8000, 16,
                TestWavs.pcm16((short) 16384, (short) 0, (short) -16384, (short) -16384)), "s.wav");
        assertEquals(8000, clip.sampleRate());
        assertArrayEquals(new float[]{0.25f, -0.5f}, clip.samples());
    }

    @Test
    void everyPcmWidthAndFloat() throws Exception {
        // 8-bit unsigned
        assertArrayEquals(new float[]{0f, 0.5f, -1f},
                WavReader.decode(TestWavs.wav(1, 1, 8000, 8, new byte[]{(byte) 128, (byte) 192, 0}), "u8").samples());
        // 24-bit: 0x400000 = 0.5, 0xC00000 = -0.5
        assertArrayEquals(new float[]{0.5f, -0.5f}, WavReader.decode(TestWavs.wav(1, 1, 8000, 24,
                new byte[]{0, 0, 0x40, 0, 0, (byte) 0xC0}), "s24").samples());
        // 32-bit int
        ByteBuffer b32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1 << 30).putInt(Integer.MIN_VALUE);
        assertArrayEquals(new float[]{0.5f, -1f}, WavReader.decode(TestWavs.wav(1, 1, 8000, 32, b32.array()), "s32").samples());
        // float32 and float64
        assertArrayEquals(new float[]{0.25f, -0.75f},
                WavReader.decode(TestWavs.wav(3, 1, 44100, 32, TestWavs.f32(0.25f, -0.75f)), "f32").samples());
        ByteBuffer b64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.125).putDouble(-0.5);
        AudioClip f64 = WavReader.decode(TestWavs.wav(3, 1, 48000, 64, b64.array()), "f64");
        assertArrayEquals(new float[]{0.125f, -0.5f}, f64.samples());
        assertEquals(48000, f64.sampleRate());
    }

    @Test
    void g711Tags() throws Exception {
        byte[] codes = {(byte) 0xFF, 0x00, (byte) 0x80};
        float[] mu = WavReader.decode(TestWavs.wav(7, 1, 8000, 8, codes), "mu.wav").samples();
        assertArrayEquals(new float[]{0f, -32124f / 32768, 32124f / 32768}, mu);
        float[] a = WavReader.decode(TestWavs.wav(6, 1, 8000, 8, new byte[]{(byte) 0xD5, 0x55}), "a.wav").samples();
        assertArrayEquals(new float[]{8f / 32768, -8f / 32768}, a);
    }

    @Test
    void waveFormatExtensibleCarriesTheRealFormat() throws Exception {
        byte[] data = TestWavs.pcm16((short) 100, (short) 300, (short) -200, (short) 0, (short) 0, (short) 0);
        AudioClip plain = WavReader.decode(TestWavs.wav(1, 3, 16000, 16, data), "p.wav");
        AudioClip ext = WavReader.decode(TestWavs.wav(1, 3, 16000, 16, data, true), "e.wav");
        assertArrayEquals(plain.samples(), ext.samples());
        assertEquals(2, ext.samples().length);
        assertEquals(200f / 3 / 32768, ext.samples()[0], 1e-9);
        AudioClip extFloat = WavReader.decode(TestWavs.wav(3, 1, 16000, 32, TestWavs.f32(0.5f), true), "ef.wav");
        assertArrayEquals(new float[]{0.5f}, extFloat.samples());
    }

    @Test
    void damagedOrUnsupportedFilesNameTheFileAndTheProblem() {
        byte[] good = TestWavs.wav(1, 1, 16000, 16, TestWavs.pcm16((short) 1, (short) 2, (short) 3, (short) 4));
        assertProblem("not a WAV file", "hello world, not audio".getBytes());
        assertProblem("empty file", new byte[0]);
        // ADPCM (tag 2) is not supported
        assertProblem("unsupported WAV format tag 0x0002", TestWavs.wav(2, 1, 8000, 4, new byte[4]));
        assertProblem("unsupported PCM sample size: 12 bits", TestWavs.wav(1, 1, 8000, 12, new byte[6]));
        assertProblem("G.711 with 16 bits", TestWavs.wav(7, 1, 8000, 16, new byte[4]));
        // header only
        assertProblem("no data chunk", Arrays.copyOf(good, 12 + 8 + 16));
        // zero channels
        assertProblem("0 channels", TestWavs.wav(1, 0, 8000, 16, new byte[0]));
        // RIFF but not WAVE
        byte[] avi = good.clone();
        avi[8] = 'A';
        avi[9] = 'V';
        avi[10] = 'I';
        avi[11] = ' ';
        assertProblem("not a WAV file", avi);
    }

    @Test
    void streamedWavWithoutSizesIsReadToTheEnd() throws Exception {
        byte[] wav = TestWavs.wav(1, 1, 16000, 16, TestWavs.pcm16((short) 1, (short) 2, (short) 3));
        // data size field (last chunk header) set to 0xFFFFFFFF as streaming writers do
        int dataSize = wav.length - 6 - 4;
        wav[dataSize] = wav[dataSize + 1] = wav[dataSize + 2] = wav[dataSize + 3] = (byte) 0xFF;
        assertEquals(3, WavReader.decode(wav, "stream.wav").samples().length);
    }

    @Test
    void aFileCutShortIsDecodedUpToTheCutUnlessStrict() throws Exception {
        byte[] good = TestWavs.wav(1, 1, 16000, 16, TestWavs.pcm16((short) 1, (short) 2, (short) 3, (short) 4));
        byte[] cut = Arrays.copyOf(good, good.length - 3);   // sample 3 loses a byte, sample 4 both
        assertTrue(WavReader.layout(cut, "cut.wav").truncated());
        assertEquals(2, assertDoesNotThrow(() -> WavReader.decode(cut, "cut.wav")).samples().length);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> WavReader.decode(cut, "cut.wav", true));
        assertTrue(e.problem().startsWith("truncated: the data chunk declares 8 bytes but only 4 follow"), e.problem());
        assertFalse(assertDoesNotThrow(() -> WavReader.layout(good, "good.wav")).truncated());
    }

    private static void assertProblem(String expected, byte[] bytes) {
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> WavReader.decode(bytes, "calls/x.wav"));
        assertEquals("calls/x.wav", e.source());
        assertTrue(e.getMessage().startsWith("calls/x.wav: "), e.getMessage());
        assertTrue(e.problem().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
