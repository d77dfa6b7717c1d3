package io.streamdrz.inference;

import io.streamdrz.audio.MelFrontend;

import java.util.List;

/**
 * One chunk (or a batch of chunks from different calls) through the model: log-mel
 * features of each fixed-layout input, then {@link PromptedDecoder}. The engine that
 * the streams processor, {@code diarize} and the benchmarks share.
 *
 * <p>Thread-safe: each thread gets its own {@link MelFrontend} (they own work buffers);
 * the ONNX sessions are shared.
 */
public final class ChunkDiarizer implements ChunkRunner {

    private final ModelContract contract;
    private final PromptedDecoder decoder;
    private final ThreadLocal<MelFrontend> frontends;
    private final SileroVad vad;

    public ChunkDiarizer(DiarizationModel model) {
        this.contract = model.contract();
        this.decoder = new PromptedDecoder(model);
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

    @Override
    public List<DecodedChunk> run(List<ModelInput> inputs) {
        int rowSize = contract.nFrames * contract.mel.nMels();
        float[] features = new float[inputs.size() * rowSize];
        int[] nPrompted = new int[inputs.size()];
        MelFrontend frontend = frontends.get();
        for (int i = 0; i < inputs.size(); i++) {
            ModelInput in = inputs.get(i);
            if (in.samples().length != contract.inputSamples) {
                throw new IllegalArgumentException("model input of " + in.samples().length + " samples, expected "
                        + contract.inputSamples);
            }
            frontend.compute(in.samples(), 0, in.samples().length, features, i * rowSize);
            nPrompted[i] = in.nPrompted();
        }
        List<DecodedChunk> decoded = decoder.decode(features, nPrompted);
        return vad == null ? decoded : withSpeech(inputs, decoded);
    }

    /** Each chunk with the speech regions the VAD hears in its chunk part (not the prompts). */
    private List<DecodedChunk> withSpeech(List<ModelInput> inputs, List<DecodedChunk> decoded) {
        float[][] audio = new float[inputs.size()][];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = inputs.get(i).samples();
        }
        int rate = contract.sampleRate;
        float[][] probs = vad.probabilities(audio, contract.chunkOffset(), contract.chunkSamples(), rate);
        double windowSeconds = SileroVad.windowSamples(rate) / (double) rate;
        List<DecodedChunk> out = new java.util.ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            out.add(decoded.get(i).withSpeech(SpeechGate.regions(probs[i], windowSeconds, contract.vad)));
        }
        return out;
    }
}
