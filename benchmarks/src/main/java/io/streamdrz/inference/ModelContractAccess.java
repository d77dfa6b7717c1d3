package io.streamdrz.inference;

import java.nio.file.Path;

/** The contract of the benchmarked model, for benchmarks outside this package. */
public final class ModelContractAccess {

    private ModelContractAccess() {
    }

    public static ModelContract load() {
        ModelOptions options = ModelOptions.builder()
                .prefix(Path.of(System.getProperty("streamdrz.model", "models/streamdrz")))
                .build();
        try (DiarizationModel model = DiarizationModel.load(options)) {
            return model.contract();
        }
    }
}
