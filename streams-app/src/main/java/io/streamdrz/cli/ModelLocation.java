package io.streamdrz.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the model files are, by one rule for every command: the prefix comes from
 * {@code --model}, else {@code streamdrz.model.path} (properties file, {@code -s}, or the
 * environment variable {@code STREAMDRZ_MODEL_PATH}), else {@value #DEFAULT}. An absolute
 * prefix is taken as it is; a relative one is looked up from the current directory, then
 * from the directory holding {@code streamdrz.jar} and each directory above it. So the
 * checkout's {@code streams-app/target/streamdrz.jar} finds the checkout's
 * {@code models/}, and {@code /opt/streamdrz/streamdrz.jar} in the images finds
 * {@code /opt/streamdrz/models/shipped/}, from any working directory.
 */
final class ModelLocation {

    static final String DEFAULT = "models/shipped/streamdrz";
    static final String ENVIRONMENT_VARIABLE = "STREAMDRZ_MODEL_PATH";

    private ModelLocation() {
    }

    /**
     * For commands without a Kafka configuration ({@code diarize}): {@code flag} (may be
     * null), else the environment's, else the default, resolved.
     */
    static String find(String flag) {
        return resolve(flag != null ? flag : System.getenv().getOrDefault(ENVIRONMENT_VARIABLE, DEFAULT));
    }

    /** A configured prefix ({@code streamdrz.model.path}, where flags and environment are merged already), resolved. */
    static String resolve(String prefix) {
        return resolve(prefix, Path.of("").toAbsolutePath(), jarLocation());
    }

    /** {@code prefix} resolved as {@link ModelLocation} says; as given when no candidate has its files. */
    static String resolve(String prefix, Path workingDir, Path jar) {
        Path given = Path.of(prefix);
        if (given.isAbsolute() || hasModel(workingDir.resolve(prefix))) {
            return prefix;
        }
        for (Path dir = jar == null ? null : jar.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(prefix);
            if (hasModel(candidate)) {
                return candidate.toString();
            }
        }
        // Not found: keep it as given, so that the error names the path the user wrote.
        return prefix;
    }

    private static boolean hasModel(Path prefix) {
        return Files.isRegularFile(Path.of(prefix + "-encoder.onnx"));
    }

    private static Path jarLocation() {
        try {
            return Path.of(ModelLocation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Exception e) {
            return null;  // no code source (an unusual class loader): only the working directory counts
        }
    }
}
