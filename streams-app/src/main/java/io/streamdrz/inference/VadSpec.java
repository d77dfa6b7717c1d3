package io.streamdrz.inference;

/**
 * The speech gate's part of the model contract ({@code streamdrz.vad.*}, contract 5):
 * which Silero VAD file decides where speech is, and how its probabilities become speech
 * regions and gate the model's segments ({@code recipe.SpeechGate}). The Python twin is the
 * {@code vad_*} fields of {@code ModelConfig}.
 *
 * @param file              the VAD's file name, next to the model files; empty for no gate
 * @param sha256            hex digest the file must have
 * @param threshold         speech starts at a window with at least this probability
 * @param negThreshold      and ends where a run of windows below this one begins
 * @param minSpeechSeconds  shorter regions are not speech
 * @param minSilenceSeconds the run below {@code negThreshold} that ends speech
 * @param padSeconds        added to each side of a region, within the chunk
 * @param fillMinSeconds    speech no segment covers, at least this long, gets the nearest voice
 */
public record VadSpec(String file, String sha256, double threshold, double negThreshold, double minSpeechSeconds,
                      double minSilenceSeconds, double padSeconds, double fillMinSeconds) {

    /** Whether the model gates its segments with a VAD at all. */
    public boolean enabled() {
        return !file.isEmpty();
    }
}
