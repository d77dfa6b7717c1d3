package io.streamdrz.speakers;

import io.streamdrz.inference.ModelFixtures;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The model contract's identification threshold is the one {@code models/identify_eval.py} chose on validation voices. */
class ThresholdSourceTest {

    @Test
    void theDefaultThresholdIsTheMeasuredOne() throws Exception {
        Path results = ModelFixtures.repoRoot().resolve("models/eval/identify.json");
        JsonNode json = new ObjectMapper().readTree(results.toFile());
        assertEquals(json.get("chosen_threshold").asDouble(), ModelFixtures.engine().contract().identify.threshold(),
                0.0005, "re-run identify_eval.py and stamp its chosen_threshold into the model: "
                        + "export.py --restamp models/shipped/streamdrz --identify-threshold X");
        assertEquals(ModelFixtures.engine().contract().modelId, json.get("model_id").asText(),
                "the threshold was measured on another model");
    }
}
