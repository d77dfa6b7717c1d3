package io.streamdrz.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdrz.audio.WavReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live windows: the activity rule on hand-made logits, and the shipped model's window
 * graph against the segments its Python twin ({@code OnnxDiarizer.run_windows}) gave
 * the same windows ({@code models/fixtures.py --windows-only}).
 */
class WindowEncoderTest {

    /**
     * Mean probabilities of a run. The window graph's weights are int8 and its activations
     * are quantized at run time with a scale taken from their range, so the ~1e-6 by which
     * Java's features differ from PyTorch's (MelFrontendParityTest) can move a probability by
     * ~1e-3; the runs themselves, compared exactly, must not move.
     */
    private static final double CONFIDENCE_TOLERANCE = 1e-2;

    @Test
    void eachRunAboveTheThresholdIsOneSegmentOfItsLabel() {
        float on = 2f;      // sigmoid 0.88
        float off = -2f;
        // frames x 2 labels: label 0 speaks in frames 0-1 and 4, label 1 in frames 1-3
        float[] logits = {on, off, on, on, off, on, off, on, on, off};
        List<ChunkSegment> segs = WindowEncoder.segments(logits, 5, 2, 0.5, 0.08);
        assertEquals(3, segs.size(), segs.toString());
        assertSegment(segs.get(0), 0.0, 0.16, 0);
        assertSegment(segs.get(1), 0.08, 0.32, 1);
        assertSegment(segs.get(2), 0.32, 0.40, 0);
        assertEquals(1.0 / (1.0 + Math.exp(-2.0)), segs.get(0).confidence(), 1e-6);
    }

    @Test
    void aStricterThresholdDropsUnsureFrames() {
        float[] logits = {0.5f, 3f, 3f};      // sigmoid 0.62, 0.95, 0.95
        assertEquals(0.0, WindowEncoder.segments(logits, 3, 1, 0.5, 0.08).get(0).start());
        assertEquals(0.08, WindowEncoder.segments(logits, 3, 1, 0.7, 0.08).get(0).start(), 1e-12);
        assertTrue(WindowEncoder.segments(logits, 3, 1, 0.99, 0.08).isEmpty());
    }

    @Test
    void theShippedWindowGraphGivesThePythonSegments() throws IOException {
        ChunkDiarizer engine = ModelFixtures.engine();
        ModelContract c = engine.contract();
        JsonNode fixtures = new ObjectMapper().readTree(ModelFixtures.file("windows.json").toFile());
        assertEquals(c.modelId, fixtures.get("model_id").asText(), "windows.json is for another model");
        int segments = 0;
        for (JsonNode w : fixtures.get("windows")) {
            float[] input = WavReader.read(ModelFixtures.file(w.get("wav").asText())).samples();
            int chunkEnd = c.chunkOffset() + c.chunkSamples();
            float[] window = Arrays.copyOf(input, c.windowInputSamples());
            System.arraycopy(input, chunkEnd - c.windowSamples(), window, c.chunkOffset(), c.windowSamples());
            ModelInput in = new ModelInput(window, w.get("n_prompted").asInt(), null, true);
            DecodedChunk out = engine.run(List.of(in)).get(0);
            assertEquals(c.encoderFrames * c.speakerDim, out.embeddings().length, "embeddings padded to a chunk's");
            List<ChunkSegment> want = new ArrayList<>();
            for (JsonNode s : w.get("segments")) {
                want.add(new ChunkSegment(s.get(0).asDouble(), s.get(1).asDouble(), s.get(2).asInt(), s.get(3).asDouble()));
            }
            assertEquals(want.size(), out.segments().size(), w.get("wav") + ": " + out.segments());
            for (int i = 0; i < want.size(); i++) {
                ChunkSegment got = out.segments().get(i);
                assertSegment(got, want.get(i).start(), want.get(i).end(), want.get(i).label());
                assertEquals(want.get(i).confidence(), got.confidence(), CONFIDENCE_TOLERANCE, w.get("wav") + " " + i);
            }
            segments += want.size();
        }
        assertTrue(segments > 0, "the fixture windows must hear someone, or this test compares nothing");
    }

    @Test
    void windowsAndChunksDoNotShareABatch() {
        ChunkDiarizer engine = ModelFixtures.engine();
        ModelContract c = engine.contract();
        ModelInput window = new ModelInput(new float[c.windowInputSamples()], 0, null, true);
        ModelInput chunk = new ModelInput(new float[c.inputSamples], 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.run(List.of(window, chunk)));
        assertTrue(e.getMessage().contains("batch of windows"), e.getMessage());
    }

    private static void assertSegment(ChunkSegment s, double start, double end, int label) {
        assertEquals(start, s.start(), 1e-9, s.toString());
        assertEquals(end, s.end(), 1e-9, s.toString());
        assertEquals(label, s.label(), s.toString());
    }
}
