package io.streamdrz.client;

import io.streamdrz.audio.AudioDecodeException;
import io.streamdrz.inference.ModelFixtures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** produce reads calls as diarize does: a WAV cut short is sent up to the cut, or refused when strict. */
class CallAudioTest {

    @TempDir
    Path dir;

    @Test
    void aWavCutShortIsReadUpToTheCutUnlessStrict() throws Exception {
        byte[] whole = Files.readAllBytes(ModelFixtures.file("call-0.wav"));
        Path cut = Files.write(dir.resolve("cut.wav"), Arrays.copyOf(whole, whole.length / 2));
        double full = CallAudio.read(ModelFixtures.file("call-0.wav"), null, null).audio().seconds();
        double half = CallAudio.readAll(cut, null, null).get(0).audio().seconds();
        assertEquals(full / 2, half, 0.01);
        AudioDecodeException e = assertThrows(AudioDecodeException.class, () -> CallAudio.readAll(cut, null, null, true));
        assertTrue(e.problem().startsWith("truncated"), e.getMessage());
    }
}
