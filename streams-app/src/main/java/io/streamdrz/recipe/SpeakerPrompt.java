package io.streamdrz.recipe;

/**
 * A known speaker's voice sample, prefixed to later chunks so the model keeps the label,
 * and their voice profile, which voice matching compares chunk speakers with.
 *
 * @param label        call-level label of the speaker
 * @param audio        up to {@code prompt_seconds} of audio where only this speaker talks
 *                     (at the model's sample rate; shared, not copied)
 * @param cleanSeconds length of that clean region, seconds (a longer one replaces it)
 * @param lastChunk    index of the last chunk the speaker was heard in (recency decides
 *                     which speakers get the prompt slots)
 * @param voice        the voice profile: sum of the unit voice embeddings of the frames
 *                     where only this speaker talked, since their first prompt; null
 *                     before the first such frames (shared, not copied)
 * @param voiceFrames  frames in {@code voice}
 */
public record SpeakerPrompt(int label, float[] audio, double cleanSeconds, int lastChunk, double[] voice,
                            int voiceFrames) {

    /** A prompt without a voice profile yet. */
    public SpeakerPrompt(int label, float[] audio, double cleanSeconds, int lastChunk) {
        this(label, audio, cleanSeconds, lastChunk, null, 0);
    }

    SpeakerPrompt heardIn(int chunk) {
        return new SpeakerPrompt(label, audio, cleanSeconds, chunk, voice, voiceFrames);
    }

    /** This prompt without a voice profile. */
    SpeakerPrompt withoutVoice() {
        return new SpeakerPrompt(label, audio, cleanSeconds, lastChunk, null, 0);
    }

    /** This prompt with {@code frames} more frames, whose embeddings sum to {@code sum}, in its profile. */
    SpeakerPrompt withVoice(double[] sum, int frames) {
        double[] v = sum.clone();
        if (voice != null) {
            for (int d = 0; d < v.length; d++) {
                v[d] += voice[d];
            }
        }
        return new SpeakerPrompt(label, audio, cleanSeconds, lastChunk, v, voiceFrames + frames);
    }
}
