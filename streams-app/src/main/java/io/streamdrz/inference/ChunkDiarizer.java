package io.streamdrz.inference;

import io.streamdrz.audio.MelFrontend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One chunk (or a batch of chunks from different calls) through the model: log-mel
 * features of each fixed-layout input, then {@link PromptedDecoder}. The engine that
 * the streams processor, {@code diarize} and the benchmarks share.
 *
 * <p>Thread-safe: each thread gets its own {@link MelFrontend} (they own work buffers);
 * the ONNX sessions are shared.
 */
public final class ChunkDiarizer implements ChunkRunner {

    /** Daemon threads for the VAD, one per model run in flight (created as needed, reused). */
    private static final ExecutorService VAD_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "streamdrz-vad");
        t.setDaemon(true);
        return t;
    });

    private final ModelContract contract;
    private final PromptedDecoder decoder;
    private final WindowEncoder windows;
    private final ThreadLocal<MelFrontend> frontends;
    private final SileroVad vad;

    public ChunkDiarizer(DiarizationModel model) {
        this.contract = model.contract();
        this.decoder = new PromptedDecoder(model);
        this.windows = model.window() == null ? null : new WindowEncoder(model);
        this.vad = model.vad();
        this.frontends = ThreadLocal.withInitial(() -> new MelFrontend(contract.mel));
    }

    public ModelContract contract() {
        return contract;
    }

    public PromptedDecoder decoder() {
        return decoder;
    }

    /** Features of one model input, row-major {@code (n_frames, n_mels)}. */
    public float[] features(float[] modelInput) {
        return frontends.get().compute(modelInput);
    }

    /**
     * Chunks through encoder and decoder, or live windows ({@link ModelInput#window()})
     * through the window graph; one batch is all of one kind.
     */
    @Override
    public List<DecodedChunk> run(List<ModelInput> inputs) {
        boolean window = !inputs.isEmpty() && inputs.get(0).window();
        for (ModelInput in : inputs) {
            if (in.window() != window) {
                throw new IllegalArgumentException("a batch of " + (window ? "windows" : "chunks") + " with a "
                        + (in.window() ? "live window" : "chunk") + " in it");
            }
        }
        if (window) {
            return runWindows(inputs);
        }
        float[] features = features(inputs, contract.inputSamples);
        int[] nPrompted = nPrompted(inputs);
        if (vad == null || inputs.stream().allMatch(in -> in.speech() != null)) {
            return withGivenSpeech(decoder.decode(features, nPrompted), inputs);
        }
        // the VAD runs window by window on another thread while the decoder runs here: a
        // chunk then waits for the slower of the two, not for both one after the other
        CompletableFuture<List<List<SpeechRegion>>> speech = CompletableFuture.supplyAsync(() -> speech(inputs),
                VAD_THREADS);
        List<DecodedChunk> decoded = decoder.decode(features, nPrompted);
        List<List<SpeechRegion>> regions = speech.join();
        List<DecodedChunk> out = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            out.add(decoded.get(i).withSpeech(regions.get(i)));
        }
        return out;
    }

    private List<DecodedChunk> runWindows(List<ModelInput> inputs) {
        if (windows == null) {
            throw new IllegalArgumentException(contract.modelId + " has no live window graph");
        }
        float[] features = features(inputs, contract.windowInputSamples());
        return withGivenSpeech(windows.run(features, nPrompted(inputs)), inputs);
    }

    /** The inputs' log-mel features back to back; each input must hold {@code samples} samples. */
    private float[] features(List<ModelInput> inputs, int samples) {
        int rowSize = contract.mel.frames(samples) * contract.mel.nMels();
        float[] features = new float[inputs.size() * rowSize];
        MelFrontend frontend = frontends.get();
        for (int i = 0; i < inputs.size(); i++) {
            ModelInput in = inputs.get(i);
            if (in.samples().length != samples) {
                throw new IllegalArgumentException("model input of " + in.samples().length + " samples, expected "
                        + samples);
            }
            frontend.compute(in.samples(), 0, samples, features, i * rowSize);
        }
        return features;
    }

    private static int[] nPrompted(List<ModelInput> inputs) {
        int[] n = new int[inputs.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = inputs.get(i).nPrompted();
        }
        return n;
    }

    /** Without a VAD run: each chunk gets the speech its input came with (null: no gate). */
    private static List<DecodedChunk> withGivenSpeech(List<DecodedChunk> decoded, List<ModelInput> inputs) {
        List<DecodedChunk> out = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            out.add(decoded.get(i).withSpeech(inputs.get(i).speech()));
        }
        return out;
    }

    /** Per input, the speech regions the VAD hears in its chunk part (not the prompts). */
    private List<List<SpeechRegion>> speech(List<ModelInput> inputs) {
        List<float[]> audio = new ArrayList<>();
        for (ModelInput in : inputs) {
            if (in.speech() == null) {
                audio.add(in.samples());
            }
        }
        int rate = contract.sampleRate;
        float[][] probs = vad.probabilities(audio.toArray(new float[0][]), contract.chunkOffset(),
                contract.chunkSamples(), rate);
        double windowSeconds = SileroVad.windowSamples(rate) / (double) rate;
        List<List<SpeechRegion>> out = new ArrayList<>(inputs.size());
        int next = 0;
        for (ModelInput in : inputs) {
            out.add(in.speech() != null ? in.speech()
                    : SpeechRegion.fromVad(probs[next++], windowSeconds, contract.vad));
        }
        return out;
    }
}
