package io.streamdrz.speakers;

import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallState;
import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.recipe.PreparedChunk;
import io.streamdrz.recipe.SpeakerPrompt;

import java.util.ArrayList;
import java.util.List;

/**
 * The voices in a recording, as the streaming recipe hears them: the recording goes
 * through {@link CallDiarizer} chunk by chunk, and each speaker label's voice profile
 * (the sum of the unit voice embeddings of the frames where it alone speaks) is what
 * identification compares in a live call. So a print made here and a call speaker's
 * profile live in the same space. As {@code diarize_state} in
 * {@code models/identify_eval.py}.
 */
public final class VoiceEmbedder {

    /** One label's voice in a recording. */
    public record LabelVoice(int label, double[] sum, int frames, double seconds) {

        public double[] unit() {
            return Vectors.unit(sum);
        }
    }

    private final ModelContract contract;
    private final ChunkRunner runner;

    public VoiceEmbedder(ModelContract contract, ChunkRunner runner) {
        this.contract = contract;
        this.runner = runner;
    }

    public ModelContract contract() {
        return contract;
    }

    /**
     * The labels of {@code audio} (at the model's rate) that have a voice profile, most
     * frames first; {@code seconds} is the frames' duration.
     */
    public List<LabelVoice> voices(float[] audio) {
        CallDiarizer diarizer = new CallDiarizer(contract, runner);
        CallState state = new CallState();
        for (int k = 0; k < diarizer.chunkCount(audio.length); k++) {
            PreparedChunk prepared = diarizer.prepare(state, diarizer.chunk(audio, k));
            diarizer.absorb(state, prepared, runner.run(List.of(prepared.input())).get(0));
        }
        List<LabelVoice> out = new ArrayList<>();
        for (SpeakerPrompt p : state.prompts()) {
            if (p.voice() != null && p.voiceFrames() > 0) {
                out.add(new LabelVoice(p.label(), p.voice(), p.voiceFrames(),
                        p.voiceFrames() * contract.encoderFrameSeconds));
            }
        }
        out.sort((a, b) -> Integer.compare(b.frames(), a.frames()));
        return out;
    }

    /** The whole recording's voice: the unit sum of every label's profile, or null if none has one. */
    public static double[] wholeVoice(List<LabelVoice> voices) {
        if (voices.isEmpty()) {
            return null;
        }
        double[] sum = new double[voices.get(0).sum().length];
        for (LabelVoice v : voices) {
            for (int d = 0; d < sum.length; d++) {
                sum[d] += v.sum()[d];
            }
        }
        return Vectors.unit(sum);
    }
}
