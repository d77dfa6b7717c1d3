package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;

import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code --model}, {@code --device}, {@code --threads}: shortcuts for the {@code streamdrz.model.*} settings. */
final class ModelFlags {

    @Option(names = "--model", paramLabel = "PREFIX",
            description = "Model file prefix: PREFIX-encoder.onnx and PREFIX-decoder.onnx (streamdrz.model.path; "
                    + "default models/streamdrz, looked up from the current directory, then from the jar's checkout).")
    String model;

    @Option(names = "--device", paramLabel = "cpu|cuda", description = "Where inference runs (streamdrz.model.device).")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime intra-op threads (streamdrz.model.threads).")
    Integer threads;

    void addTo(Map<String, String> flags) {
        if (model != null) {
            flags.put(StreamdrzConfig.MODEL_PATH, model);
        }
        if (device != null) {
            flags.put(StreamdrzConfig.MODEL_DEVICE, device);
        }
        if (threads != null) {
            flags.put(StreamdrzConfig.MODEL_THREADS, threads.toString());
        }
    }

    /**
     * The model prefix as given if its files are there (relative to the current
     * directory), else relative to the checkout that holds this jar
     * ({@code streams-app/target/streamdrz.jar} -> the repository root), so that the demo
     * finds the model from any directory.
     */
    static String locate(String prefix) {
        Path given = Path.of(prefix);
        if (given.isAbsolute() || Files.isRegularFile(Path.of(prefix + "-encoder.onnx"))) {
            return prefix;
        }
        try {
            Path jar = Path.of(ModelFlags.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(prefix);
                if (Files.isRegularFile(Path.of(candidate + "-encoder.onnx"))) {
                    return candidate.toString();
                }
            }
        } catch (Exception e) {
            // No code source (unusual class loader): keep the path as given.
        }
        return prefix;
    }
}
