package io.streamdrz.topology;

import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.ChunkSubmitter;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.inference.ModelInput;
import io.streamdrz.inference.SileroVad;
import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.schema.AudioEncoding;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With live labels on, the VAD hears each sample once: the final run of a whole chunk gets
 * the speech the live VAD stream heard in it, which is what its own VAD would have found,
 * for a call at the model's rate and for one the app resamples.
 */
class HeardChunksTest {

    @TempDir
    Path stateDir;

    @Test
    void aChunkIsTakenOnceAndOnlyForItsOwnIndex() {
        HeardChunks heard = new HeardChunks();
        List<SpeechRegion> speech = List.of(new SpeechRegion(0.5, 1.5));
        heard.put("c", 3, speech);
        assertNull(heard.take("c", 2), "another chunk's speech is no answer");
        assertNull(heard.take("c", 3), "a wrong guess drops the entry");
        heard.put("c", 3, speech);
        assertEquals(speech, heard.take("c", 3));
        assertNull(heard.take("c", 3), "once");
        heard.put("c", 4, speech);
        heard.forget("c");
        assertEquals(0, heard.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {16_000, 8_000})
    void finalRunsOfWholeChunksGetTheLiveStreamsSpeechAndTheSameSegments(int rate) throws Exception {
        ChunkDiarizer model = ModelFixtures.engine();
        ModelContract c = model.contract();
        SileroVad vad = ModelFixtures.model().vad();
        float[] call = AudioFileReader.read(ModelFixtures.file("call-0.wav"), null, rate).samples();
        int chunkIn = c.chunkSamples() * rate / c.sampleRate;
        int whole = call.length / chunkIn;
        assertTrue(whole >= 2, "the fixture call holds two whole chunks");

        List<ModelInput> on = new ArrayList<>();
        List<String> segmentsOn = run(model, vad, call, rate, LiveConfig.every(Duration.ofSeconds(1), "segments-live"),
                on, stateDir.resolve("on"));
        List<ModelInput> off = new ArrayList<>();
        List<String> segmentsOff = run(model, vad, call, rate, LiveConfig.OFF, off, stateDir.resolve("off"));

        assertEquals(segmentsOff, segmentsOn, "final segments do not depend on where the speech came from");
        assertEquals(off.size(), on.size());
        assertTrue(off.stream().allMatch(in -> in.speech() == null), "live off: the final runs' VAD decides");
        for (int k = 0; k < whole; k++) {
            float[] chunk = Resampling.convert(Arrays.copyOfRange(call, k * chunkIn, (k + 1) * chunkIn), rate,
                    c.sampleRate, c.chunkSamples());
            float[] alone = vad.probabilities(new float[][]{chunk}, 0, c.chunkSamples(), c.sampleRate)[0];
            assertEquals(SpeechRegion.fromVad(alone, 512.0 / c.sampleRate, c.vad), on.get(k).speech(), "chunk " + k);
        }
        assertNull(on.get(on.size() - 1).speech(), "the last, shorter chunk runs its own VAD");
    }

    /** The call through the topology with the real engine; the final runs' inputs land in {@code finals}. */
    private static List<String> run(ChunkDiarizer model, SileroVad vad, float[] call, int rate, LiveConfig live,
                                    List<ModelInput> finals, Path dir) {
        ChunkRunner recording = inputs -> {
            finals.addAll(inputs);
            return model.run(inputs);
        };
        EngineInference engine = new EngineInference(model.contract(), recording, 0, ChunkSubmitter.direct(model),
                vad);
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, engine, dir, live)) {
            h.sendAll(TestCalls.frames("call-0", call, rate, AudioEncoding.PCM_S16LE, 1, 20, 0));
            return h.output().stream().map(r -> Objects.toString(r.value())).toList();
        }
    }
}
