package io.streamdrz.inference;

/**
 * A known speaker's voice sample, prefixed to later chunks so the model keeps the label.
 *
 * @param label        call-level label of the speaker
 * @param audio        up to {@code prompt_seconds} of audio where only this speaker talks
 *                     (at the model's sample rate; shared, not copied)
 * @param cleanSeconds length of that clean region, seconds (a longer one replaces it)
 * @param lastChunk    index of the last chunk the speaker was heard in (recency decides
 *                     which speakers get the prompt slots)
 */
public record SpeakerPrompt(int label, float[] audio, double cleanSeconds, int lastChunk) {

    SpeakerPrompt heardIn(int chunk) {
        return new SpeakerPrompt(label, audio, cleanSeconds, chunk);
    }
}
