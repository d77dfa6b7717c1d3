package io.streamdrz.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioFileReaderTest {

    @TempDir
    Path dir;

    @Test
    void wavIsRecognizedByItsHeaderWhateverItsName() throws Exception {
        Path f = dir.resolve("call.bin");
        Files.write(f, TestWavs.wav(1, 1, 16000, 16, TestWavs.pcm16((short) 16384, (short) -16384)));
        AudioClip clip = AudioFileReader.read(f, null);
        assertArrayEquals(new float[]{0.5f, -0.5f}, clip.samples());
        assertEquals(2 / 16000.0, AudioFileReader.probeSeconds(f, null), 1e-12);
    }

    @Test
    void probingALongWavReadsOnlyItsHeader() throws Exception {
        Path f = dir.resolve("long.wav");
        Files.write(f, TestWavs.wav(1, 2, 8000, 16, new byte[8000 * 4 * 30]));   // 30 s stereo
        assertEquals(30.0, AudioFileReader.probeSeconds(f, null), 1e-12);
        Path cut = dir.resolve("cut.wav");
        byte[] whole = Files.readAllBytes(f);
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 100));
        // 100 bytes short: 25 stereo 16-bit frames fewer, as the lenient read decodes them
        assertEquals(30.0 - 25 / 8000.0, AudioFileReader.probeSeconds(cut, null), 1e-12);
        assertEquals(8000 * 30 - 25, AudioFileReader.read(cut, null).samples().length);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioFileReader.read(cut, null, true));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void anEmptyFileIsCalledEmpty() throws Exception {
        for (String name : new String[] {"empty.wav", "empty.ulaw"}) {
            Path f = Files.createFile(dir.resolve(name));
            AudioDecodeException read = assertThrows(AudioDecodeException.class, () -> AudioFileReader.read(f, null));
            assertEquals("empty file (0 bytes)", read.problem());
            AudioDecodeException probe = assertThrows(AudioDecodeException.class,
                    () -> AudioFileReader.probeSeconds(f, null));
            assertEquals("empty file (0 bytes)", probe.problem());
        }
    }

    @Test
    void rawPcmNeedsItsFormat() throws Exception {
        Path s16 = dir.resolve("a.pcm");
        Files.write(s16, TestWavs.pcm16((short) 8192, (short) 0, (short) -8192, (short) 0));
        AudioClip stereo = AudioFileReader.read(s16, new RawFormat(SampleEncoding.PCM_S16LE, 8000, 2));
        assertArrayEquals(new float[]{0.125f, -0.125f}, stereo.samples());
        assertEquals(8000, stereo.sampleRate());
        assertEquals(2 / 8000.0, AudioFileReader.probeSeconds(s16, new RawFormat(SampleEncoding.PCM_S16LE, 8000, 2)), 1e-12);

        Path f32 = dir.resolve("b.f32");
        Files.write(f32, TestWavs.f32(0.25f, 0.5f));
        assertArrayEquals(new float[]{0.25f, 0.5f},
                AudioFileReader.read(f32, new RawFormat(SampleEncoding.PCM_F32LE, 16000, 1)).samples());

        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioFileReader.read(s16, null));
        assertTrue(e.getMessage().contains("a.pcm") && e.getMessage().contains("no raw format"), e.getMessage());
        Path odd = dir.resolve("odd.pcm");
        Files.write(odd, new byte[]{1, 2, 3});
        e = assertThrows(AudioDecodeException.class,
                () -> AudioFileReader.read(odd, new RawFormat(SampleEncoding.PCM_S16LE, 8000, 1)));
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    }

    @Test
    void g711ExtensionsImply8kHzMono() throws Exception {
        Path ul = dir.resolve("x.ul");
        Files.write(ul, new byte[]{(byte) 0x80, (byte) 0xFF});
        AudioClip mu = AudioFileReader.read(ul, null);
        assertEquals(8000, mu.sampleRate());
        assertArrayEquals(new float[]{32124f / 32768, 0f}, mu.samples());
        Path al = dir.resolve("x.alaw");
        Files.write(al, new byte[]{(byte) 0xD5});
        assertArrayEquals(new float[]{8f / 32768}, AudioFileReader.read(al, null).samples());
        // given explicitly, raw G.711 works under any name
        Path any = dir.resolve("capture.dat");
        Files.write(any, new byte[]{0x55});
        assertArrayEquals(new float[]{-8f / 32768},
                AudioFileReader.read(any, new RawFormat(SampleEncoding.ALAW, 8000, 1)).samples());
    }

    @Test
    void aMissingFileIsAnAudioDecodeException() {
        Path missing = dir.resolve("nope.wav");
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> AudioFileReader.read(missing, null));
        assertEquals(missing + ": no such file", e.getMessage());
        assertThrows(AudioDecodeException.class, () -> AudioFileReader.probeSeconds(missing, null));
    }

    @Test
    void readingAtTheModelRateResamples() throws Exception {
        Path f = dir.resolve("8k.wav");
        short[] pcm = new short[8000];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(8000 * Math.sin(2 * Math.PI * 300 * i / 8000.0));
        }
        Files.write(f, TestWavs.wav(1, 1, 8000, 16, TestWavs.pcm16(pcm)));
        AudioClip clip = AudioFileReader.read(f, null, 16000);
        assertEquals(16000, clip.sampleRate());
        assertEquals(16000, clip.samples().length);
    }

    @Test
    void encodingNames() {
        assertEquals(SampleEncoding.PCM_S16LE, SampleEncoding.parse("s16le"));
        assertEquals(SampleEncoding.PCM_S16LE, SampleEncoding.parse("PCM_S16LE"));
        assertEquals(SampleEncoding.PCM_F32LE, SampleEncoding.parse("f32le"));
        assertEquals(SampleEncoding.MULAW, SampleEncoding.parse("ulaw"));
        assertEquals(SampleEncoding.MULAW, SampleEncoding.parse("MULAW"));
        assertEquals(SampleEncoding.ALAW, SampleEncoding.parse("alaw"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleEncoding.parse("mp3"));
        assertTrue(e.getMessage().contains("mp3"));
    }
}
