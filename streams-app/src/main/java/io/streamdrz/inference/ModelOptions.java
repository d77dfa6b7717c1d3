package io.streamdrz.inference;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How to load a model: where (file prefix), on what device, with how many threads.
 * Immutable; build with {@link #builder()}. Defaults: prefix {@code models/shipped/streamdrz},
 * CPU, one intra-op thread (a streams app runs one engine per JVM shared by all stream
 * threads, which are the parallelism).
 */
public final class ModelOptions {

    /** Where inference runs. */
    public enum Device {
        CPU, CUDA;

        public static Device parse(String name) {
            switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "cpu": return CPU;
                case "cuda": case "gpu": return CUDA;
                default: throw new IllegalArgumentException("unknown device '" + name + "' (cpu or cuda)");
            }
        }
    }

    private final Path prefix;
    private final Device device;
    private final int intraOpThreads;
    private final int cudaDeviceId;

    private ModelOptions(Builder b) {
        this.prefix = b.prefix;
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.cudaDeviceId = b.cudaDeviceId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code <prefix>-encoder.onnx} and {@code <prefix>-decoder.onnx} are the model. */
    public Path prefix() {
        return prefix;
    }

    public Path encoderFile() {
        return Path.of(prefix + "-encoder.onnx");
    }

    public Path decoderFile() {
        return Path.of(prefix + "-decoder.onnx");
    }

    public Device device() {
        return device;
    }

    /** Threads ONNX Runtime may use inside one operator; 0 lets it pick (one per core). */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    public int cudaDeviceId() {
        return cudaDeviceId;
    }

    public static final class Builder {
        private Path prefix = Path.of("models", "shipped", "streamdrz");
        private Device device = Device.CPU;
        private int intraOpThreads = 1;
        private int cudaDeviceId;

        private Builder() {
        }

        public Builder prefix(Path prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder device(Device device) {
            this.device = device;
            return this;
        }

        public Builder intraOpThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, not " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        public Builder cudaDeviceId(int id) {
            this.cudaDeviceId = id;
            return this;
        }

        public ModelOptions build() {
            return new ModelOptions(this);
        }
    }
}
