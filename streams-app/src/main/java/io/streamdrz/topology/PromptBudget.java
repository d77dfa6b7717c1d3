package io.streamdrz.topology;

import io.streamdrz.recipe.SpeakerPrompt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds what the {@value DiarizationTopology#SPEAKER_PROMPTS_STORE} store keeps of a call's
 * speakers, so that one call's record stays far below the broker's 1 MB request limit
 * however many speakers the call has (issue #22: at 9 labels of 2 s float prompts the
 * record passed 1 MB, and every restart failed on it again).
 *
 * <p>Speakers are ranked as the engine ranks them for prompting: most recently heard
 * first (higher {@code lastChunk}), then by label. Then:
 * <ul>
 *   <li>the first {@value #WITH_AUDIO} keep their prompt exactly (about 128 KB each for a
 *       2 s prompt). The engine prompts only its {@code prompt_slots} (3) most recently heard
 *       speakers, so a call with at most {@value #WITH_AUDIO} speakers, and any call while its
 *       older speakers stay away, is diarized bit for bit as without this budget;</li>
 *   <li>the next ones, up to {@value #KEPT} in all, keep their label and voice profile
 *       (kilobytes) but lose the prompt's audio, and its clean length is set to 0, so
 *       the first clean region the speaker is heard in again gives a fresh prompt. Until
 *       then, if such a speaker is prompted again, its slot holds silence and the engine
 *       recognises them by voice profile alone;</li>
 *   <li>beyond {@value #KEPT}, the least recently heard are forgotten: they count as
 *       speakers without a prompt, whose label the engine may give to a new voice.</li>
 * </ul>
 * Worst case: {@value #WITH_AUDIO} prompts of 128 KB plus {@value #KEPT} voice profiles
 * (the shipped model's 128 doubles are 1 KB each): about 580 KB, under 700 KB even with
 * twice that voice size and a full voice bank beside it (at most
 * {@code ModelContract.MAX_RECLUSTER_PIECES} pieces of one byte a dimension: 36 KB).
 * Most calls have fewer speakers and stay far below.
 */
final class PromptBudget {

    /** Speakers whose prompt audio is kept as it is. */
    static final int WITH_AUDIO = 4;
    /** Speakers remembered at all (label, voice profile, when last heard). */
    static final int KEPT = 64;

    private static final Comparator<SpeakerPrompt> MOST_RECENT_FIRST =
            Comparator.comparingInt((SpeakerPrompt p) -> -p.lastChunk())
                    .thenComparingInt(SpeakerPrompt::label);

    private PromptBudget() {
    }

    /** The prompts to store, in their original order; unchanged when within the budget. */
    static List<SpeakerPrompt> bound(List<SpeakerPrompt> prompts) {
        if (prompts.size() <= WITH_AUDIO) {
            return prompts;
        }
        List<SpeakerPrompt> ranked = new ArrayList<>(prompts);
        ranked.sort(MOST_RECENT_FIRST);
        Map<Integer, Integer> rankOfLabel = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            rankOfLabel.put(ranked.get(i).label(), i);
        }
        List<SpeakerPrompt> out = new ArrayList<>(Math.min(prompts.size(), KEPT));
        for (SpeakerPrompt p : prompts) {
            int rank = rankOfLabel.get(p.label());
            if (rank < WITH_AUDIO) {
                out.add(p);
            } else if (rank < KEPT) {
                out.add(withoutAudio(p));
            }
        }
        return out;
    }

    private static SpeakerPrompt withoutAudio(SpeakerPrompt p) {
        return new SpeakerPrompt(p.label(), new float[0], 0.0, p.lastChunk(), p.voice(), p.voiceFrames());
    }
}
