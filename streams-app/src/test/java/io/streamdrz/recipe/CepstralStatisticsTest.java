package io.streamdrz.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdrz.audio.WavReader;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The voice bank's cepstral statistics against those its Python twin
 * ({@code voicebank.cepstral_stats}) gave the same chunks ({@code models/fixtures.py --cepstra-only}).
 */
class CepstralStatisticsTest {

    @Test
    void theStatisticsOfEachPieceAreThePythonOnesWithinOneUnit() throws IOException {
        ModelContract c = ModelFixtures.engine().contract();
        JsonNode fixtures = new ObjectMapper().readTree(ModelFixtures.file("cepstra.json").toFile());
        int values = 0;
        for (JsonNode item : fixtures.get("inputs")) {
            float[] input = WavReader.read(ModelFixtures.file(item.get("wav").asText())).samples();
            float[] chunk = Arrays.copyOfRange(input, c.chunkOffset(), c.chunkOffset() + c.chunkSamples());
            CepstralStatistics stats = new CepstralStatistics(c.mel, chunk);
            for (JsonNode piece : item.get("pieces")) {
                short[] got = stats.over(piece.get(0).asDouble(), piece.get(1).asDouble());
                JsonNode want = piece.get(2);
                assertEquals(want.size(), got.length);
                for (int i = 0; i < got.length; i++) {
                    // log-mel differs from PyTorch's by ~1e-6 (MelFrontendParityTest): a value x 256
                    // may round the other way, never further
                    assertEquals(want.get(i).asInt(), got[i], 1, item.get("wav") + " " + piece.get(0) + " " + i);
                    values++;
                }
            }
        }
        assertTrue(values >= 3 * 4 * 38, "compared " + values + " values");
    }
}
