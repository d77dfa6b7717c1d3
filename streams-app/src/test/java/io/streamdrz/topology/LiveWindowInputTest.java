package io.streamdrz.topology;

import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.ChunkSubmitter;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.inference.ModelInput;
import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a live window hands the model, with the shipped model: the window graph's input with
 * the call's prompts; and its provisional segments lie in the newest audio.
 */
class LiveWindowInputTest {

    @Test
    void aWindowIsTheWindowGraphsInputWithTheCallsPromptsAndLabelsTheNewestAudio() throws Exception {
        ChunkDiarizer model = ModelFixtures.engine();
        ModelContract c = model.contract();
        List<ModelInput> submitted = new ArrayList<>();
        ChunkSubmitter direct = ChunkSubmitter.direct(model);
        EngineInference engine = new EngineInference(c, model, 0, in -> {
            submitted.add(in);
            return direct.submit(in);
        }, null);
        assertEquals(c.windowSamples(), engine.windowSamples());
        float[] call = AudioFileReader.read(ModelFixtures.file("call-0.wav"), null, 16_000).samples();

        CallState afterOne = engine.diarize(new CallState(), Arrays.copyOf(call, c.chunkSamples()));
        assertFalse(afterOne.prompts().isEmpty(), "the fixture call's first chunk must leave prompts");
        int end = c.chunkSamples() + 3 * c.sampleRate;
        float[] audio = Arrays.copyOfRange(call, end - c.windowSamples(), end);
        double start = (end - c.windowSamples()) / (double) c.sampleRate;
        List<CallSegment> got = engine.provisional(window(afterOne, audio, start)).get();
        ModelInput in = submitted.get(0);
        assertTrue(in.window());
        assertEquals(c.windowInputSamples(), in.samples().length);
        assertEquals(afterOne.prompts().size(), in.nPrompted());
        assertFalse(got.isEmpty(), "the fixture call speaks in its 9th to 11th second");
        for (CallSegment s : got) {
            assertTrue(s.start() >= end / (double) c.sampleRate - 1.0 - 1e-9 && s.end() <= end / (double) c.sampleRate
                    + 1e-9, s.toString());
        }
    }

    /** A window over {@code audio} starting at call time {@code start}, its last second new, all of it speech. */
    private static ChunkInference.Window window(CallState state, float[] audio, double start) {
        double seconds = audio.length / 16_000.0;
        return new ChunkInference.Window(state, audio, start, 1.0, List.of(new SpeechRegion(0, seconds)), 0);
    }
}
