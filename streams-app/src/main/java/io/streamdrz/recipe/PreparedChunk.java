package io.streamdrz.recipe;

import io.streamdrz.inference.ModelInput;

import java.util.List;

/**
 * A chunk ready for the model: the chunk's own audio, the prompts chosen for it (slot
 * order; slot i is chunk-local label i) and the model input built from both.
 */
public record PreparedChunk(float[] chunk, List<SpeakerPrompt> prompts, ModelInput input) {
}
