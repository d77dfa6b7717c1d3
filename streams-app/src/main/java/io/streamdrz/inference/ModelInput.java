package io.streamdrz.inference;

import java.util.List;

/**
 * One fixed-layout model input: {@code prompt_slots} slots of
 * {@code prompt_seconds + prompt_silence_seconds}, slot i holding up to
 * {@code prompt_seconds} of speaker i's clean audio (zero padded), then the chunk
 * ({@code chunk_seconds}, zero padded at the end of a call). Mirrors
 * {@code build_input} in {@code models/prompts.py}.
 *
 * @param samples   {@code input_samples} samples at the model's rate
 * @param nPrompted how many slots hold a speaker (they are the first ones)
 * @param speech    where speech is in the chunk part, when the caller already knows (a live
 *                  window's VAD ran as the audio came, {@link SileroVad.Stream}); null: the
 *                  model's own VAD runs on the chunk
 * @param window    a live window ({@link #window}): {@code window_input_samples} samples for the
 *                  window graph, not a chunk for encoder and decoder
 */
public record ModelInput(float[] samples, int nPrompted, List<SpeechRegion> speech, boolean window) {

    public ModelInput(float[] samples, int nPrompted, List<SpeechRegion> speech) {
        this(samples, nPrompted, speech, false);
    }

    public ModelInput(float[] samples, int nPrompted) {
        this(samples, nPrompted, null);
    }

    /** This input with its speech regions given. */
    public ModelInput withSpeech(List<SpeechRegion> regions) {
        return new ModelInput(samples, nPrompted, regions, window);
    }

    /**
     * Lays out {@code chunk} and the prompts' audio (in slot order; at most
     * {@code prompt_slots} are used, each cut to {@code prompt_seconds}).
     */
    public static ModelInput build(ModelContract c, float[] chunk, List<float[]> prompts) {
        return new ModelInput(layout(c, chunk, prompts, c.chunkSamples()), Math.min(prompts.size(), c.promptSlots));
    }

    /**
     * A live window's input: the prompts as in {@link #build}, then {@code audio} (a call's
     * newest audio, at most {@code live.window_seconds}) zero padded to that length.
     */
    public static ModelInput window(ModelContract c, float[] audio, List<float[]> prompts,
                                    List<SpeechRegion> speech) {
        return new ModelInput(layout(c, audio, prompts, c.windowSamples()), Math.min(prompts.size(), c.promptSlots),
                speech, true);
    }

    private static float[] layout(ModelContract c, float[] chunk, List<float[]> prompts, int chunkSamples) {
        float[] x = new float[c.chunkOffset() + chunkSamples];
        int n = Math.min(prompts.size(), c.promptSlots);
        for (int i = 0; i < n; i++) {
            float[] p = prompts.get(i);
            System.arraycopy(p, 0, x, i * c.slotSamples(), Math.min(p.length, c.promptSamples()));
        }
        System.arraycopy(chunk, 0, x, c.chunkOffset(), Math.min(chunk.length, chunkSamples));
        return x;
    }
}
