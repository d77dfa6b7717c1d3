package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The voice steps of the recipe ({@link VoiceMatcher}, {@link VoiceRefiner}) on the cases
 * both twins read: {@code models/tests/fixtures/voice_cases.json}, which
 * {@code models/tests/test_voice_cases.py} runs against prompts.py. So the two cannot drift.
 */
class VoiceCasesTest {

    private static final Map<String, Integer> MARKERS = Map.of("NEW", VoiceMatcher.NEW, "STRANGER", VoiceMatcher.STRANGER);

    @TestFactory
    Stream<DynamicTest> voiceCases() throws IOException {
        JsonNode all = new ObjectMapper().readTree(
                ModelFixtures.repoRoot().resolve("models/tests/fixtures/voice_cases.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : all.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> run(all.get("defaults"), c)));
        }
        return tests.stream();
    }

    private static void run(JsonNode defaults, JsonNode test) {
        ModelContract c = contract(defaults, test.path("contract"));
        List<ChunkSegment> segs = new ArrayList<>();
        for (JsonNode s : test.get("segments")) {
            segs.add(new ChunkSegment(s.get(0).asDouble(), s.get(1).asDouble(), s.get(2).asInt(), 0.9));
        }
        float[] emb = embeddings(c, test);
        int[] promptSamples = new int[test.get("slots").size()];
        java.util.Arrays.fill(promptSamples, c.promptSamples());
        double[][] profiles = new double[promptSamples.length][];
        for (int j = 0; j < profiles.length && test.has("profiles"); j++) {
            profiles[j] = profile(c, test.get("profiles").get(j));
        }
        Map<Integer, Integer> slotOf = intMap(test.path("slot_of"));
        if (test.has("match")) {
            assertEquals(intMap(test.get("match")), new VoiceMatcher(c, segs, promptSamples, emb, profiles).match());
        }
        if (test.has("segment_slots")) {
            int[] expect = new int[test.get("segment_slots").size()];
            for (int i = 0; i < expect.length; i++) {
                JsonNode x = test.get("segment_slots").get(i);
                expect[i] = x.isTextual() ? MARKERS.get(x.asText()) : x.asInt();
            }
            assertArrayEquals(expect, new VoiceMatcher(c, segs, promptSamples, emb, profiles).segmentSlots(slotOf));
        }
        if (test.has("aliases")) {
            assertEquals(intMap(test.get("aliases")),
                    new VoiceMatcher(c, segs, promptSamples, emb, profiles).newLabelAliases(slotOf));
        }
        if (test.has("refine")) {
            Map<Integer, JsonNode> byLabel = new HashMap<>();
            test.get("profiles_by_label").fields().forEachRemaining(e -> byLabel.put(Integer.parseInt(e.getKey()), e.getValue()));
            List<List<Object>> got = new ArrayList<>();
            for (ChunkSegment s : VoiceRefiner.refine(c, segs, emb, label -> {
                JsonNode p = byLabel.get(label);
                return p != null && p.get(1).asInt() >= c.profileMinFrames ? profile(c, p) : null;
            })) {
                got.add(List.of(Math.round(s.start() * 100) / 100.0, Math.round(s.end() * 100) / 100.0, s.label()));
            }
            List<List<Object>> expect = new ArrayList<>();
            for (JsonNode s : test.get("refine")) {
                expect.add(List.of(s.get(0).asDouble(), s.get(1).asDouble(), s.get(2).asInt()));
            }
            assertEquals(expect, got);
        }
    }

    /** The test contract with the file's defaults and the case's own values over it. */
    private static ModelContract contract(JsonNode defaults, JsonNode overrides) {
        Map<String, String> meta = ContractFixtures.metadata("encoder");
        defaults.fields().forEachRemaining(e -> meta.put("streamdrz." + e.getKey(), e.getValue().asText()));
        overrides.fields().forEachRemaining(e -> meta.put("streamdrz." + e.getKey(), e.getValue().asText()));
        return ModelContract.fromMetadata("voice-cases", meta);
    }

    private static float[] embeddings(ModelContract c, JsonNode test) {
        int[] voiceOf = new int[c.encoderFrames - c.encoderChunkStart];
        java.util.Arrays.fill(voiceOf, -1);
        for (JsonNode v : test.get("voices")) {
            for (int k = v.get(0).asInt(); k < v.get(1).asInt(); k++) {
                voiceOf[k] = v.get(2).asInt();
            }
        }
        int[] slots = new int[test.get("slots").size()];
        for (int j = 0; j < slots.length; j++) {
            slots[j] = test.get("slots").get(j).asInt();
        }
        return VoiceEmbeddings.of(c, k -> voiceOf[k], slots);
    }

    /** [voice, frames]: a sum of that many unit embeddings of that voice; null stays null. */
    private static double[] profile(ModelContract c, JsonNode voiceFrames) {
        if (voiceFrames == null || voiceFrames.isNull()) {
            return null;
        }
        double[] p = new double[c.speakerDim];
        p[voiceFrames.get(0).asInt()] = voiceFrames.get(1).asInt();
        return p;
    }

    private static Map<Integer, Integer> intMap(JsonNode node) {
        Map<Integer, Integer> out = new HashMap<>();
        node.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asInt()));
        return out;
    }
}
