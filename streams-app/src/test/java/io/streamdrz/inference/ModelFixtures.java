package io.streamdrz.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model in {@code models/} and the fixtures the Python side wrote for it
 * ({@code models/fixtures.py} -> {@code src/test/resources/model-fixtures/}). The model
 * is loaded once per test JVM and shared, as the application shares it.
 */
public final class ModelFixtures {

    private static DiarizationModel model;
    private static ChunkDiarizer engine;
    private static JsonNode index;

    private ModelFixtures() {
    }

    /** The repository root: set by the build (surefire), else the parent of the module directory. */
    public static Path repoRoot() {
        String root = System.getProperty("streamdrz.repoRoot");
        if (root != null && !root.isBlank()) {
            return Path.of(root);
        }
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("models")) ? here : here.getParent();
    }

    public static Path modelPrefix() {
        return repoRoot().resolve("models").resolve("shipped").resolve("streamdrz");
    }

    public static synchronized DiarizationModel model() {
        if (model == null) {
            model = DiarizationModel.load(ModelOptions.builder().prefix(modelPrefix()).intraOpThreads(1).build());
        }
        return model;
    }

    public static synchronized ChunkDiarizer engine() {
        if (engine == null) {
            engine = new ChunkDiarizer(model());
        }
        return engine;
    }

    public static Path dir() {
        URL url = ModelFixtures.class.getResource("/model-fixtures/fixtures.json");
        if (url == null) {
            throw new IllegalStateException("model-fixtures/fixtures.json is not on the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    public static synchronized JsonNode index() {
        if (index == null) {
            try {
                index = new ObjectMapper().readTree(file("fixtures.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return index;
    }

    /** One recorded model input: the PCM16 input, the Python features, n_prompted, greedy tokens and probabilities. */
    public record Input(String wav, String features, String embedding, int nPrompted, int[] tokens, double[] probs) {
    }

    public static List<Input> inputs() {
        List<Input> out = new ArrayList<>();
        for (JsonNode n : index().get("inputs")) {
            int[] tokens = new int[n.get("tokens").size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = n.get("tokens").get(i).asInt();
            }
            double[] probs = new double[n.get("probs").size()];
            for (int i = 0; i < probs.length; i++) {
                probs[i] = n.get("probs").get(i).asDouble();
            }
            out.add(new Input(n.get("wav").asText(), n.get("features").asText(), n.get("embedding").asText(),
                    n.get("n_prompted").asInt(), tokens, probs));
        }
        return out;
    }

    /** A float32 little-endian file. */
    public static float[] readF32(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
