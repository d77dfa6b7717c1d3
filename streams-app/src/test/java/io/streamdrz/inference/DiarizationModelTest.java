package io.streamdrz.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiarizationModelTest {

    @TempDir
    Path dir;

    @Test
    void theRepositoryModelLoadsWithItsContract() {
        DiarizationModel m = ModelFixtures.model();
        ModelContract c = m.contract();
        assertEquals(ModelFixtures.index().get("model_id").asText(), c.modelId);
        assertEquals(ModelFixtures.index().get("n_frames").asInt(), c.nFrames);
        assertEquals(ModelFixtures.index().get("n_mels").asInt(), c.mel.nMels());
        assertEquals("encoder", c.graph);
        assertEquals(ModelOptions.Device.CPU, m.device());
    }

    @Test
    void cudaFallsBackToTheCpuWhenThisBuildHasNoCuda() {
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return;   // the -Pgpu build: nothing to fall back from on a machine with a GPU
        }
        try (DiarizationModel m = DiarizationModel.load(ModelOptions.builder().prefix(ModelFixtures.modelPrefix())
                .device(ModelOptions.Device.CUDA).build())) {
            assertEquals(ModelOptions.Device.CPU, m.device());
            assertEquals(ModelFixtures.model().contract().modelId, m.contract().modelId);
        }
    }

    @Test
    void aMissingModelFileIsNamed() {
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> DiarizationModel.load(ModelOptions.builder().prefix(dir.resolve("nothing")).build()));
        assertTrue(e.getMessage().contains("nothing-encoder.onnx") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void encoderAndDecoderSwappedAreRefused() throws Exception {
        Path enc = ModelFixtures.modelPrefix().resolveSibling("streamdrz-encoder.onnx");
        Path dec = ModelFixtures.modelPrefix().resolveSibling("streamdrz-decoder.onnx");
        Files.copy(dec, dir.resolve("swapped-encoder.onnx"));
        Files.copy(enc, dir.resolve("swapped-decoder.onnx"));
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> DiarizationModel.load(ModelOptions.builder().prefix(dir.resolve("swapped")).build()));
        assertTrue(e.getMessage().contains("streamdrz.graph") && e.getMessage().contains("swapped-encoder.onnx"),
                e.getMessage());
    }

    @Test
    void optionsParseDevices() {
        assertEquals(ModelOptions.Device.CUDA, ModelOptions.Device.parse("cuda"));
        assertEquals(ModelOptions.Device.CPU, ModelOptions.Device.parse("CPU"));
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.Device.parse("tpu"));
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.builder().intraOpThreads(-1));
        assertEquals(Path.of("models/shipped/streamdrz-encoder.onnx"), ModelOptions.builder().build().encoderFile());
    }
}
