package io.streamdrz.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelContractTest {

    @Test
    void readsEveryValue() {
        ModelContract c = ContractFixtures.contract();
        assertEquals("streamdrz-small", c.modelId);
        assertEquals(16000, c.sampleRate);
        assertEquals(512, c.mel.nFft());
        assertEquals(400, c.mel.winLength());
        assertEquals(160, c.mel.hopLength());
        assertEquals(80, c.mel.nMels());
        assertEquals(1e-6, c.mel.logFloor());
        assertEquals(3, c.promptSlots);
        assertEquals(35840, c.slotSamples());
        assertEquals(32000, c.promptSamples());
        assertEquals(128000, c.chunkSamples());
        assertEquals(3 * 35840, c.chunkOffset());
        assertEquals(81, c.nBins);
        assertEquals(84, c.tokenSpeaker0);
        assertEquals(62, c.maxLen);
        assertEquals(48, c.headDim);
        assertEquals(184, c.encoderFrames);
        assertEquals(1280, c.encoderFrameSamples);
        assertEquals(128, c.speakerDim);
        assertEquals(0.3, c.matchThreshold);
        assertEquals(0.6, c.mergeThreshold);
        assertEquals(3, c.matchMinFrames);
        assertEquals(0.15, c.joinGapSeconds);
        assertEquals(0.5, c.strangerThreshold);
        assertEquals(0.75, c.profileWeight);
        assertEquals("encoder", c.graph);
        assertEquals("test-encoder.onnx", c.source());
    }

    @Test
    void everyKeyIsRequiredAndNamedWhenMissing() {
        for (String key : ContractFixtures.metadata("encoder").keySet()) {
            if (key.equals("streamdrz.mel.recipe") || key.equals("streamdrz.grammar")
                    || key.equals("streamdrz.match.recipe")) {
                continue;   // descriptive text for people, not read
            }
            Map<String, String> m = ContractFixtures.metadata("encoder");
            m.remove(key);
            ModelContractException e = assertThrows(ModelContractException.class,
                    () -> ModelContract.fromMetadata("m-encoder.onnx", m), key);
            assertTrue(e.getMessage().startsWith("m-encoder.onnx: "), e.getMessage());
            assertTrue(e.getMessage().contains(key), key + " -> " + e.getMessage());
        }
    }

    @Test
    void nestedShareIsReadAndOffInAFileThatLacksIt() {
        assertEquals(ModelContract.NESTED_SHARE_OFF, ContractFixtures.contract().nestedShare);
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz.overlap.nested_share", "0.5");
        assertEquals(0.5, ModelContract.fromMetadata("n.onnx", m).nestedShare);
        m.put("streamdrz.overlap.nested_share", "0");
        ModelContractException e = assertThrows(ModelContractException.class, () -> ModelContract.fromMetadata("n.onnx", m));
        assertTrue(e.getMessage().contains("overlap.nested_share") && e.getMessage().contains("positive"), e.getMessage());
    }

    @Test
    void theVoiceBankIsReadBoundedAndOffInAFileThatLacksIt() {
        assertEquals(0, ContractFixtures.contract().reclusterPieces);
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz.recluster.pieces", "256");
        m.put("streamdrz.recluster.piece_seconds", "0.5");
        ModelContract c = ModelContract.fromMetadata("b.onnx", m);
        assertEquals(256, c.reclusterPieces);
        assertEquals(0.5, c.reclusterPieceSeconds);
        m.put("streamdrz.recluster.pieces", Integer.toString(ModelContract.MAX_RECLUSTER_PIECES + 1));
        ModelContractException e = assertThrows(ModelContractException.class, () -> ModelContract.fromMetadata("b.onnx", m));
        assertTrue(e.getMessage().contains("recluster.pieces") && e.getMessage().contains("at most"), e.getMessage());
    }

    /** The bank's and the final pass's later values, each read as its contract key says and as 0 where a file lacks it. */
    private static final Map<String, ToDoubleFunction<ModelContract>> LATER_VALUES = Map.of(
            "recluster.merge_distance", k -> k.reclusterMergeDistance,
            "recluster.cepstral_weight", k -> k.reclusterCepstralWeight,
            "final.cepstral_weight", k -> k.finalCepstralWeight);

    @ParameterizedTest
    @ValueSource(strings = {"recluster.merge_distance", "recluster.cepstral_weight", "final.cepstral_weight"})
    void aLaterRecipeValueIsReadRefusedBelowZeroAndZeroInAFileThatLacksIt(String key) {
        var value = LATER_VALUES.get(key);
        assertEquals(0.0, value.applyAsDouble(ContractFixtures.contract()));
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz." + key, "0.4");
        assertEquals(0.4, value.applyAsDouble(ModelContract.fromMetadata("b.onnx", m)));
        m.put("streamdrz." + key, "-0.1");
        ModelContractException e = assertThrows(ModelContractException.class, () -> ModelContract.fromMetadata("b.onnx", m));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    /** The text switches: their key, the word that turns each on, its other word, and a word refused. */
    private static final Map<String, Predicate<ModelContract>> SWITCHES = Map.of(
            "final.relabel", k -> k.finalRelabel,
            "recluster.new_speakers", k -> k.reclusterJudgesNewSpeakers);

    @ParameterizedTest
    @CsvSource({"final.relabel, labels, none, always", "recluster.new_speakers, bank, stream, Bank"})
    void aTextSwitchIsReadRefusedUnlessKnownAndOffInAFileThatLacksIt(String key, String on, String off, String wrong) {
        Predicate<ModelContract> value = SWITCHES.get(key);
        assertFalse(value.test(ContractFixtures.contract()));
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz." + key, on);
        assertTrue(value.test(ModelContract.fromMetadata("b.onnx", m)));
        m.put("streamdrz." + key, off);
        assertFalse(value.test(ModelContract.fromMetadata("b.onnx", m)));
        m.put("streamdrz." + key, wrong);
        ModelContractException e = assertThrows(ModelContractException.class, () -> ModelContract.fromMetadata("b.onnx", m));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("'" + wrong + "'"), e.getMessage());
    }

    @Test
    void anUnsupportedContractVersionIsRefused() {
        Map<String, String> m = ContractFixtures.metadata("encoder");
        for (String old : List.of("1", "2", "3")) {
            m.put("streamdrz.contract_version", old);
            ModelContractException e = assertThrows(ModelContractException.class,
                    () -> ModelContract.fromMetadata("x.onnx", m));
            assertTrue(e.getMessage().contains("contract version '" + old + "'") && e.getMessage().contains("x.onnx"),
                    e.getMessage());
        }
    }

    @Test
    void malformedAndInconsistentValuesAreRefused() {
        for (List<String> bad : List.of(
                List.of("streamdrz.sample_rate", "16k", "not an integer"),
                List.of("streamdrz.bin_seconds", "zero", "not a number"),
                List.of("streamdrz.max_speakers", "0", "must be positive"),
                List.of("streamdrz.match.profile_weight", "1.5", "between 0 and 1"),
                List.of("streamdrz.input_samples", "235521", "streamdrz.input_samples"),
                List.of("streamdrz.n_frames", "1471", "streamdrz.n_frames"),
                List.of("streamdrz.token.vocab_size", "91", "streamdrz.token.vocab_size"),
                List.of("streamdrz.mel.n_fft", "500", "mel"),
                List.of("streamdrz.encoder.frame_samples", "1000", "streamdrz.encoder.frame_samples"),
                List.of("streamdrz.match.threshold", "high", "not a number"))) {
            Map<String, String> m = ContractFixtures.metadata("encoder");
            m.put(bad.get(0), bad.get(1));
            ModelContractException e = assertThrows(ModelContractException.class,
                    () -> ModelContract.fromMetadata("y.onnx", m), bad.toString());
            assertTrue(e.getMessage().contains(bad.get(2)), bad + " -> " + e.getMessage());
        }
    }

    @Test
    void encoderAndDecoderMustBelongToTheSameModel() {
        ModelContract enc = ModelContract.fromMetadata("a-encoder.onnx", ContractFixtures.metadata("encoder"));
        ModelContract dec = ModelContract.fromMetadata("a-decoder.onnx", ContractFixtures.metadata("decoder"));
        assertDoesNotThrow(() -> enc.requireSameModel(dec));

        Map<String, String> other = ContractFixtures.metadata("decoder");
        other.put("streamdrz.model_id", "streamdrz-large");
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> enc.requireSameModel(ModelContract.fromMetadata("b-decoder.onnx", other)));
        assertTrue(e.getMessage().contains("model_id") && e.getMessage().contains("b-decoder.onnx"), e.getMessage());

        Map<String, String> drift = ContractFixtures.metadata("decoder");
        drift.put("streamdrz.decoder.head_dim", "96");
        drift.put("streamdrz.decoder.heads", "2");
        e = assertThrows(ModelContractException.class,
                () -> enc.requireSameModel(ModelContract.fromMetadata("c-decoder.onnx", drift)));
        assertTrue(e.getMessage().contains("streamdrz.decoder.head"), e.getMessage());
    }
}
