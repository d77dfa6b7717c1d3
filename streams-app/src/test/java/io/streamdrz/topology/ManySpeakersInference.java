package io.streamdrz.topology;

import io.streamdrz.inference.IdentifySpec;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.recipe.BankPiece;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.SpeakerPrompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stand-in engine that invents speakers: the speaker of chunk {@code k} is {@code k % voices}
 * (a new label the first time, as a real engine gives a label per voice), each label keeps a
 * prompt as large as the real model's (2 s of 16 kHz floats, 128 KB), and every chunk is one
 * segment of its speaker, and adds pieces to the voice bank up to the most a contract allows. So a long call with many voices grows the engine's state as a real
 * conference call would, fast.
 *
 * <p>It also checks what the topology hands back: a prompt it kept must come back with its
 * audio unless the {@link PromptBudget} dropped it, which {@link #promptsWithAudioSeen()} shows.
 */
public final class ManySpeakersInference implements ChunkInference {

    public static final int RATE = 16_000;
    private static final int PROMPT_SAMPLES = 2 * RATE;
    /** The shipped model's voice dimensions, and pieces a chunk adds: the bank fills within a long call. */
    private static final int BANK_DIM = 128;
    private static final int BANK_PIECES_PER_CHUNK = 8;

    private final int chunkSamples;
    private final int voices;
    private volatile int promptsWithAudioSeen;

    /** @param voices distinct speakers, taking turns chunk by chunk */
    public ManySpeakersInference(int chunkSamples, int voices) {
        this.chunkSamples = chunkSamples;
        this.voices = voices;
    }

    /** The most prompts with audio any call's state held when handed to the engine. */
    public int promptsWithAudioSeen() {
        return promptsWithAudioSeen;
    }

    @Override
    public int sampleRate() {
        return RATE;
    }

    @Override
    public int chunkSamples() {
        return chunkSamples;
    }

    @Override
    public String modelId() {
        return "many-speakers-model";
    }

    @Override
    public double joinGapSeconds() {
        return 0.0;
    }

    @Override
    public IdentifySpec identifySpec() {
        return new IdentifySpec(0.6, 0.1, 10);
    }

    @Override
    public CallState diarize(CallState state, float[] chunk) {
        promptsWithAudioSeen = Math.max(promptsWithAudioSeen,
                (int) state.prompts().stream().filter(p -> p.audio().length > 0).count());
        int k = state.chunkIndex();
        int voice = k % voices;
        int labels = Math.max(state.labelCount(), voice + 1);
        List<SpeakerPrompt> prompts = new ArrayList<>();
        boolean known = false;
        for (SpeakerPrompt p : state.prompts()) {
            if (p.label() == voice) {
                known = true;
                prompts.add(new SpeakerPrompt(p.label(), p.audio().length > 0 ? p.audio() : prompt(voice), 2.0, k,
                        voiceProfile(voice), 100));
            } else {
                prompts.add(p);
            }
        }
        if (!known) {
            prompts.add(new SpeakerPrompt(voice, prompt(voice), 2.0, k, voiceProfile(voice), 100));
        }
        double t0 = k * (chunkSamples / (double) RATE);
        double t1 = t0 + chunk.length / (double) RATE;
        List<CallSegment> segments = new ArrayList<>(state.segments());
        segments.add(new CallSegment(t0, t1, voice, 0.9, k));
        return new CallState(prompts, labels, k + 1, segments, grownBank(state.bank(), voice));
    }

    /** The bank with BANK_PIECES_PER_CHUNK more pieces of the voice, trimmed as the real engine trims it. */
    private static List<BankPiece> grownBank(List<BankPiece> bank, int voice) {
        List<BankPiece> out = new ArrayList<>(bank);
        for (int i = 0; i < BANK_PIECES_PER_CHUNK; i++) {
            byte[] e = new byte[BANK_DIM];
            e[voice % BANK_DIM] = 127;
            out.add(new BankPiece(e, 1.0, voice));
        }
        return out.subList(Math.max(0, out.size() - ModelContract.MAX_RECLUSTER_PIECES), out.size());
    }

    private static float[] prompt(int voice) {
        float[] samples = new float[PROMPT_SAMPLES];
        Arrays.fill(samples, (voice % 9 + 1) / 10f);
        return samples;
    }

    private static double[] voiceProfile(int voice) {
        double[] v = new double[256];
        v[voice % v.length] = 1.0;
        return v;
    }
}
