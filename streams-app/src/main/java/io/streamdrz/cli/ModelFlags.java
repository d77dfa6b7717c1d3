package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;

import picocli.CommandLine.Option;

import java.util.Map;

/** {@code --model}, {@code --device}, {@code --threads}: shortcuts for the {@code streamdrz.model.*} settings. */
final class ModelFlags {

    @Option(names = "--model", paramLabel = "PREFIX",
            description = "Model file prefix: PREFIX-encoder.onnx and PREFIX-decoder.onnx (streamdrz.model.path; "
                    + "default models/shipped/streamdrz; a relative path is looked up from the current directory, then from the "
                    + "jar's directory and those above it).")
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
}
