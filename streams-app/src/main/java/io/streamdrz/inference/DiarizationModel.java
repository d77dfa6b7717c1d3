package io.streamdrz.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exported model: the encoder and the single-step decoder graphs as ONNX Runtime
 * sessions, and the contract read from their metadata.
 *
 * <p>One {@link OrtEnvironment} serves the whole JVM (ONNX Runtime allows only one);
 * the sessions are thread-safe and meant to be shared by every thread that diarizes.
 * With {@link ModelOptions.Device#CUDA} the CUDA execution provider is used when this
 * build of ONNX Runtime has it (the {@code -Pgpu} jar) and it initializes; otherwise
 * one warning says why and inference runs on the CPU.
 */
public final class DiarizationModel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiarizationModel.class);

    static final List<String> ENCODER_INPUTS = List.of("features");
    static final List<String> ENCODER_OUTPUTS = List.of("cross_k", "cross_v", "speaker_embedding");
    static final List<String> DECODER_INPUTS = List.of("tokens", "position", "past_k", "past_v", "cross_k", "cross_v");
    static final List<String> DECODER_OUTPUTS = List.of("logits", "present_k", "present_v");

    private final OrtEnvironment env;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final ModelContract contract;
    private final ModelOptions.Device device;
    private final SileroVad vad;
    private final OrtSession window;

    private DiarizationModel(OrtEnvironment env, OrtSession encoder, OrtSession decoder, ModelContract contract,
                             ModelOptions.Device device, SileroVad vad, OrtSession window) {
        this.env = env;
        this.encoder = encoder;
        this.decoder = decoder;
        this.contract = contract;
        this.device = device;
        this.vad = vad;
        this.window = window;
    }

    /** The JVM's ONNX Runtime environment. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * Loads {@code <prefix>-encoder.onnx} and {@code <prefix>-decoder.onnx}, validates
     * their contracts and checks that they belong together.
     *
     * @throws ModelContractException for a missing file or an unusable contract
     */
    public static DiarizationModel load(ModelOptions options) {
        Path encFile = options.encoderFile();
        Path decFile = options.decoderFile();
        for (Path f : List.of(encFile, decFile)) {
            if (!Files.isRegularFile(f)) {
                throw new ModelContractException("model file not found: " + f.toAbsolutePath()
                        + " (--model takes the prefix, e.g. models/shipped/streamdrz for models/shipped/streamdrz-encoder.onnx)");
            }
        }
        OrtEnvironment env = environment();
        OrtSession enc = null;
        OrtSession dec = null;
        try {
            ModelOptions.Device device = options.device();
            try (OrtSession.SessionOptions so = sessionOptions(options, device)) {
                enc = env.createSession(encFile.toString(), so);
                dec = env.createSession(decFile.toString(), so);
            } catch (OrtException e) {
                if (device != ModelOptions.Device.CUDA) {
                    throw e;
                }
                log.warn("CUDA was requested but could not be used ({}); running on the CPU", e.getMessage());
                closeQuietly(enc);
                device = ModelOptions.Device.CPU;
                try (OrtSession.SessionOptions so = sessionOptions(options, device)) {
                    enc = env.createSession(encFile.toString(), so);
                    dec = env.createSession(decFile.toString(), so);
                }
            }
            ModelContract ec = contract(encFile, enc, "encoder", ENCODER_INPUTS, ENCODER_OUTPUTS);
            ModelContract dc = contract(decFile, dec, "decoder", DECODER_INPUTS, DECODER_OUTPUTS);
            ec.requireSameModel(dc);
            log.info("model {} loaded from {}-{encoder,decoder}.onnx on {} ({} intra-op thread(s))",
                    ec.modelId, options.prefix(), device.name().toLowerCase(java.util.Locale.ROOT),
                    options.intraOpThreads() == 0 ? "all" : options.intraOpThreads());
            SileroVad vad = loadVad(env, encFile, ec.vad);
            OrtSession window = loadWindow(env, encFile, ec, options, device);
            return new DiarizationModel(env, enc, dec, ec, device, vad, window);
        } catch (OrtException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            throw new ModelContractException("cannot load the model " + options.prefix() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(enc);
            closeQuietly(dec);
            throw e;
        }
    }

    /**
     * The contract's VAD, found next to the encoder and checked against its digest, on the
     * CPU with one thread (it is small and runs window by window), or null for no gate.
     */
    private static SileroVad loadVad(OrtEnvironment env, Path encFile, VadSpec spec) throws OrtException {
        if (!spec.enabled()) {
            return null;
        }
        Path file = checkedSibling(encFile, spec.file(), spec.sha256(), "VAD file", "streamdrz.vad.file",
                "streamdrz.vad.sha256");
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            so.setInterOpNumThreads(1);
            return new SileroVad(env, env.createSession(file.toString(), so));
        }
    }

    /**
     * The contract's live window graph, found next to the encoder, checked against its
     * digest and model id, on the encoder's device; null when the contract names none.
     */
    private static OrtSession loadWindow(OrtEnvironment env, Path encFile, ModelContract c, ModelOptions options,
                                         ModelOptions.Device device) throws OrtException {
        LiveWindowSpec spec = c.live;
        if (!spec.enabled()) {
            return null;
        }
        Path file = checkedSibling(encFile, spec.file(), spec.sha256(), "window graph",
                "streamdrz.live.window_file", "streamdrz.live.window_sha256");
        OrtSession session;
        try (OrtSession.SessionOptions so = sessionOptions(options, device)) {
            session = env.createSession(file.toString(), so);
        }
        Map<String, String> meta = session.getMetadata().getCustomMetadata();
        if (!"window".equals(meta.get("streamdrz.graph")) || !c.modelId.equals(meta.get("streamdrz.model_id"))
                || !session.getOutputNames().containsAll(List.of("activity", "speaker_embedding"))) {
            closeQuietly(session);
            throw new ModelContractException(file + ": not the window graph of model " + c.modelId
                    + " (streamdrz.graph '" + meta.get("streamdrz.graph") + "', streamdrz.model_id '"
                    + meta.get("streamdrz.model_id") + "')");
        }
        return session;
    }

    /** A file the contract names, next to the encoder, with the digest the contract gives. */
    private static Path checkedSibling(Path encFile, String name, String sha256, String what, String fileKey,
                                       String shaKey) {
        Path file = encFile.toAbsolutePath().resolveSibling(name);
        if (!Files.isRegularFile(file)) {
            throw new ModelContractException(what + " not found: " + file + " (the model's contract names it in "
                    + fileKey + "; it belongs next to the model files)");
        }
        String digest = sha256(file);
        if (!digest.equals(sha256)) {
            throw new ModelContractException(file + ": sha256 " + digest + " differs from the model contract's "
                    + sha256 + " (" + shaKey + ")");
        }
        return file;
    }

    private static String sha256(Path file) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new ModelContractException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession.SessionOptions sessionOptions(ModelOptions options, ModelOptions.Device device)
            throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (device == ModelOptions.Device.CUDA) {
                Set<OrtProvider> available = OrtEnvironment.getAvailableProviders();
                if (!available.contains(OrtProvider.CUDA)) {
                    throw new OrtException("this ONNX Runtime build has no CUDA provider (available: " + available
                            + "; build the jar with -Pgpu)");
                }
                so.addCUDA(options.cudaDeviceId());
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static ModelContract contract(Path file, OrtSession session, String role, List<String> inputs,
                                          List<String> outputs) throws OrtException {
        Map<String, String> meta = session.getMetadata().getCustomMetadata();
        ModelContract contract = ModelContract.fromMetadata(file.toString(), meta);
        if (!contract.graph.equals(role)) {
            throw new ModelContractException(file + ": metadata key streamdrz.graph is '" + contract.graph
                    + "', expected '" + role + "'");
        }
        for (String name : inputs) {
            if (!session.getInputNames().contains(name)) {
                throw new ModelContractException(file + ": the " + role + " graph has no input '" + name + "'");
            }
        }
        for (String name : outputs) {
            if (!session.getOutputNames().contains(name)) {
                throw new ModelContractException(file + ": the " + role + " graph has no output '" + name + "'");
            }
        }
        return contract;
    }

    public ModelContract contract() {
        return contract;
    }

    /** The device inference actually runs on (CPU after a CUDA fallback). */
    public ModelOptions.Device device() {
        return device;
    }

    OrtEnvironment env() {
        return env;
    }

    OrtSession encoder() {
        return encoder;
    }

    OrtSession decoder() {
        return decoder;
    }

    /** The live window graph ({@link WindowEncoder}), or null when the contract names none. */
    OrtSession window() {
        return window;
    }

    /** The speech gate's VAD, or null when the contract names none. */
    public SileroVad vad() {
        return vad;
    }

    @Override
    public void close() {
        closeQuietly(encoder);
        closeQuietly(decoder);
        closeQuietly(window);
        if (vad != null) {
            try {
                vad.close();
            } catch (OrtException e) {
                log.debug("closing the VAD failed", e);
            }
        }
    }

    private static void closeQuietly(OrtSession s) {
        if (s != null) {
            try {
                s.close();
            } catch (OrtException e) {
                log.debug("closing a session failed", e);
            }
        }
    }
}
