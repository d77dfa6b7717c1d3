package io.streamdrz.inference;

/**
 * The live windows' part of the model contract ({@code streamdrz.live.*}, contract 7): the
 * window graph, which is the encoder alone on the prompts and a call's newest
 * {@code seconds} of audio, and how its activity head becomes segments
 * ({@link WindowEncoder}). The Python twin is the {@code live_*} fields of
 * {@code ModelConfig}.
 *
 * @param file              the window graph's file name, next to the model files; empty for none
 * @param sha256            hex digest the file must have
 * @param seconds           the window's audio after the prompt slots
 * @param activityThreshold a frame is a label's when the sigmoid of its activity exceeds this
 */
public record LiveWindowSpec(String file, String sha256, double seconds, double activityThreshold) {

    /** Whether the model has a window graph; without one, a window is a whole chunk through the decoder. */
    public boolean enabled() {
        return !file.isEmpty();
    }
}
