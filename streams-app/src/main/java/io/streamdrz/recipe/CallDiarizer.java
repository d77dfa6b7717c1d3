package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkDiarizer;
import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.DecodedChunk;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelInput;
import io.streamdrz.inference.SpeechRegion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The streaming recipe over a whole call, written once for Java (the Python twin is
 * {@code StreamingDiarizer} in {@code models/prompts.py}, which the parity tests hold
 * this to):
 *
 * <ol>
 *   <li>the call is cut into consecutive chunks of {@code chunk_seconds};</li>
 *   <li>{@link #prepare}: up to {@code prompt_slots} known speakers are prompted, the
 *       most recently heard first (ties: lower label), laid out in label order; chunk
 *       label i below the number of prompts is that prompt's speaker;</li>
 *   <li>the model decodes the chunk ({@link ChunkRunner});</li>
 *   <li>{@link #absorb}: segments that reach no speech the VAD hears are dropped, and speech
 *       no segment covers goes to the chunk voice it sounds most like ({@link SpeechGate});
 *       chunk labels go to prompted speakers by voice, each of their
 *       segments to the prompted voice it sounds like, and leftover labels that sound
 *       alike become one new speaker ({@link VoiceMatcher}); new speakers take new call labels in
 *       order of appearance, unless the call already has {@code speakerCap} labels:
 *       then the known speaker they sound most like; each frame where one speaker alone
 *       talks goes to the present speaker whose voice it sounds most like, splitting
 *       segments ({@link VoiceRefiner});
 *       for each speaker heard, the longest region where only they talk,
 *       shrunk by {@code prompt.edge_seconds} at each end, at least {@code prompt.min_seconds}
 *       long and centre-cropped to {@code prompt_seconds}, replaces their prompt if
 *       it is longer, or as long and closer to their voice profile; each prompted
 *       speaker's voice profile adds the frames where only they spoke; segments go to
 *       call time through {@link SegmentStitcher}.</li>
 * </ol>
 *
 * Per-call state lives in a {@link CallState}, so the same steps serve the offline
 * command (all chunks at once) and the streams processor (one chunk per punctuation,
 * state in a store). Stateless itself and thread-safe if the runner is.
 */
public final class CallDiarizer {

    /** {@link #closestKnown} owners: a segment of the would-be new speaker ({@code THIS_NEW} in prompts.py). */
    static final int THIS_NEW = -1;
    /** {@link #closestKnown} owners: a segment of another would-be new speaker ({@code OTHER_NEW}). */
    static final int OTHER_NEW = -2;

    private final ModelContract c;
    private final ChunkRunner runner;
    private final int speakerCap;

    /**
     * @param speakerCap at most this many speakers a call (a two-party phone call: 2), 0 for
     *                   no limit: once that many call labels are out, a voice that would be a
     *                   new speaker is the known speaker it sounds most like instead (not
     *                   {@link ModelContract#maxSpeakers}: that is the model's chunk labels)
     */
    public CallDiarizer(ModelContract contract, ChunkRunner runner, int speakerCap) {
        if (speakerCap < 0) {
            throw new IllegalArgumentException("max speakers must be >= 0 (0: no limit), not " + speakerCap);
        }
        this.c = contract;
        this.runner = runner;
        this.speakerCap = speakerCap;
    }

    /** No limit on speakers a call. */
    public CallDiarizer(ModelContract contract, ChunkRunner runner) {
        this(contract, runner, 0);
    }

    public CallDiarizer(ChunkDiarizer engine, int speakerCap) {
        this(engine.contract(), engine, speakerCap);
    }

    public CallDiarizer(ChunkDiarizer engine) {
        this(engine, 0);
    }

    public ModelContract contract() {
        return c;
    }

    /** Chunks a call of {@code samples} samples is cut into (at least one, even when empty). */
    public int chunkCount(int samples) {
        return Math.max(1, (samples + c.chunkSamples() - 1) / c.chunkSamples());
    }

    /** Chunk {@code k} of a call: {@code chunk_seconds} of audio, shorter at the end. */
    public float[] chunk(float[] call, int k) {
        int from = Math.min(call.length, k * c.chunkSamples());
        int to = Math.min(call.length, from + c.chunkSamples());
        return Arrays.copyOfRange(call, from, to);
    }

    /** Prompts the known speakers of {@code state}, as the model was trained. */
    public PreparedChunk prepare(CallState state, float[] chunk) {
        List<SpeakerPrompt> chosen = choosePrompts(state);
        return new PreparedChunk(chunk, chosen, ModelInput.build(c, chunk, audio(chosen)));
    }

    /**
     * A live window ready for the window graph: the prompts {@link #prepare} would choose,
     * and {@code audio}, at most {@code live.window_seconds} of the call's newest audio.
     *
     * @param speech where the call's VAD stream heard speech in {@code audio}, or null for no gate
     */
    public PreparedChunk prepareWindow(CallState state, float[] audio, List<SpeechRegion> speech) {
        List<SpeakerPrompt> chosen = choosePrompts(state);
        return new PreparedChunk(audio, chosen, ModelInput.window(c, audio, audio(chosen), speech));
    }

    /** Up to prompt_slots known speakers, most recently active first, in label order. */
    private List<SpeakerPrompt> choosePrompts(CallState state) {
        List<SpeakerPrompt> chosen = new ArrayList<>(state.prompts());
        chosen.sort(Comparator.comparingInt((SpeakerPrompt p) -> -p.lastChunk()).thenComparingInt(SpeakerPrompt::label));
        chosen = new ArrayList<>(chosen.subList(0, Math.min(c.promptSlots, chosen.size())));
        chosen.sort(Comparator.comparingInt(SpeakerPrompt::label));
        return List.copyOf(chosen);
    }

    private static List<float[]> audio(List<SpeakerPrompt> prompts) {
        List<float[]> audio = new ArrayList<>(prompts.size());
        for (SpeakerPrompt p : prompts) {
            audio.add(p.audio());
        }
        return audio;
    }

    /**
     * Maps the chunk's labels to call labels, refreshes prompts and stitches the
     * segments into {@code state}; then {@code state} is ready for the next chunk. The
     * steps below in order, each the twin of the {@code StreamingDiarizer} method of that
     * name in prompts.py ({@code _clamp}, {@code _gate}, ...).
     *
     * @return the chunk's segments in call time and call labels (before stitching)
     */
    public List<CallSegment> absorb(CallState state, PreparedChunk prepared, DecodedChunk decoded) {
        float[] embeddings = decoded.embeddings();
        double chunkLength = prepared.chunk().length / (double) c.sampleRate;
        List<SpeakerPrompt> prompts = prepared.prompts();
        List<ChunkSegment> local = NestedSegments.drop(clamp(decoded.segments(), chunkLength), c.nestedShare);
        local = gate(local, decoded.speech(), embeddings, prompts, chunkLength);
        Match match = match(local, prompts, embeddings);
        List<ChunkSegment> segs = label(state, local, prompts, match, embeddings);
        segs = refine(state, segs, embeddings);
        if (embeddings != null && c.reclusterPieces > 0) {
            segs = VoiceBank.relabel(c, state, segs, embeddings, speakerCap, prepared.chunk());
        }
        refreshPrompts(state, prepared.chunk(), segs, prompts, match.voices());
        growVoices(state, segs, embeddings);
        return stitch(state, segs);
    }

    /**
     * {@link #absorb}, then, when the model has a final pass ({@code final.relabel}), the
     * chunk's pieces for it ({@link FinalLabels#pieces}) in {@link CallState#finalPieces()}.
     */
    public List<CallSegment> absorbForFinal(CallState state, PreparedChunk prepared, DecodedChunk decoded) {
        List<CallSegment> out = absorb(state, prepared, decoded);
        state.setFinalPieces(c.finalRelabel && decoded.embeddings() != null
                ? FinalLabels.pieces(c, state.segments(), state.chunkIndex() - 1, decoded.embeddings(),
                        c.finalCepstralWeight > 0 ? prepared.chunk() : null)
                : List.of());
        return out;
    }

    /** The decoded segments sorted by start then end, cut at the chunk's audio end. */
    private static List<ChunkSegment> clamp(List<ChunkSegment> decoded, double chunkLength) {
        List<ChunkSegment> ordered = new ArrayList<>(decoded);
        ordered.sort(Comparator.comparingDouble(ChunkSegment::start).thenComparingDouble(ChunkSegment::end));
        List<ChunkSegment> local = new ArrayList<>();   // chunk time, chunk labels
        for (ChunkSegment s : ordered) {
            double start = Math.min(s.start(), chunkLength);
            double end = Math.min(s.end(), chunkLength);
            if (end > start) {
                local.add(new ChunkSegment(start, end, s.label(), s.confidence()));
            }
        }
        return local;
    }

    /**
     * With the VAD's speech regions: segments that reach no speech dropped, speech no
     * segment covers given to the closest chunk voice ({@link SpeechGate}).
     */
    private List<ChunkSegment> gate(List<ChunkSegment> local, List<SpeechRegion> speech, float[] embeddings,
                                    List<SpeakerPrompt> prompts, double chunkLength) {
        return speech == null ? local
                : SpeechGate.apply(c, local, speech, chunkLength, promptSamples(prompts), embeddings);
    }

    /**
     * Who the chunk's segments are ({@link #match}).
     *
     * @param voices      the chunk's voices
     * @param segmentSlot per segment its prompt slot, {@link VoiceMatcher#NEW} or {@link VoiceMatcher#STRANGER}
     * @param alias       new label -> the new label it is the same voice as
     */
    private record Match(VoiceMatcher voices, int[] segmentSlot, Map<Integer, Integer> alias) {

        /** The key a segment of a new speaker is known by until it has a call label. */
        int newKey(int i, ChunkSegment s) {
            return segmentSlot[i] == VoiceMatcher.STRANGER ? VoiceMatcher.STRANGER
                    : alias.getOrDefault(s.label(), s.label());
        }
    }

    /**
     * Chunk labels to prompt slots by voice, each segment of theirs to the prompt it
     * sounds like, leftover labels that sound alike as one new speaker ({@link VoiceMatcher}).
     * (prompts.py's {@code _match} also runs without embeddings, for an evaluation of the
     * model's own labels; the engine always has them.)
     */
    private Match match(List<ChunkSegment> local, List<SpeakerPrompt> prompts, float[] embeddings) {
        double[][] profiles = new double[prompts.size()][];
        for (int i = 0; i < profiles.length; i++) {
            profiles[i] = profileOf(prompts.get(i));
        }
        VoiceMatcher voices = new VoiceMatcher(c, local, promptSamples(prompts), embeddings, profiles);
        Map<Integer, Integer> slotOf = voices.match();
        return new Match(voices, voices.segmentSlots(slotOf), voices.newLabelAliases(slotOf));
    }

    /**
     * The segments in call labels: a prompted speaker's slot gives their label; a new
     * voice takes the label of a speaker without a prompt yet (never heard alone for long
     * enough, so not recognisable by voice), else a new label, else, in a full call, the
     * known speaker it sounds like ({@link #closestKnown}).
     */
    private List<ChunkSegment> label(CallState state, List<ChunkSegment> local, List<SpeakerPrompt> prompts,
                                     Match match, float[] embeddings) {
        ArrayDeque<Integer> unprompted = new ArrayDeque<>();
        for (int label = 0; label < state.labelCount(); label++) {
            if (state.prompt(label) == null) {
                unprompted.add(label);
            }
        }
        Map<Integer, Integer> newLabels = new HashMap<>();
        List<ChunkSegment> segs = new ArrayList<>();   // chunk time, call labels
        for (int i = 0; i < local.size(); i++) {
            ChunkSegment s = local.get(i);
            int slot = match.segmentSlot()[i];
            Integer label;
            if (slot >= 0) {
                label = prompts.get(slot).label();
            } else {
                int key = match.newKey(i, s);
                label = newLabels.get(key);
                if (label == null) {
                    if (!unprompted.isEmpty()) {
                        label = unprompted.poll();
                    } else if (speakerCap > 0 && state.labelCount() >= speakerCap) {
                        label = closestKnown(state, prompts, match.voices(), embeddings, local,
                                owners(segs, local, prompts, match, key));
                    } else {
                        label = state.newLabel();
                    }
                    newLabels.put(key, label);
                }
            }
            segs.add(new ChunkSegment(s.start(), s.end(), label, s.confidence()));
        }
        return segs;
    }

    /** Each frame where one speaker alone talks to the present voice it is most like ({@link VoiceRefiner}). */
    private List<ChunkSegment> refine(CallState state, List<ChunkSegment> segs, float[] embeddings) {
        return VoiceRefiner.refine(c, segs, embeddings, label -> {
            SpeakerPrompt p = state.prompt(label);
            return p != null && p.voiceFrames() >= c.profileMinFrames ? profileOf(p) : null;
        });
    }

    /**
     * For each speaker heard: the longest region where only they talk, edges trimmed, long
     * enough and centre-cropped, replaces their prompt if it is longer, or as long and
     * more typical of their voice ({@link #moreTypical}).
     */
    private void refreshPrompts(CallState state, float[] chunk, List<ChunkSegment> segs, List<SpeakerPrompt> prompts,
                                VoiceMatcher voices) {
        int sr = c.sampleRate;
        double chunkLength = chunk.length / (double) sr;
        Set<Integer> heard = new LinkedHashSet<>();
        for (ChunkSegment s : segs) {
            heard.add(s.label());
        }
        for (int label : heard) {
            SpeakerPrompt old = state.prompt(label);
            if (old != null) {
                old = old.heardIn(state.chunkIndex());
                state.putPrompt(old);
            }
            double[] best = null;
            for (double[] r : cleanRegions(segs, label, 0.0, chunkLength)) {
                double a = r[0] + c.promptEdgeSeconds;
                double b = r[1] - c.promptEdgeSeconds;
                if (b - a >= c.promptMinSeconds && (best == null || b - a > best[1] - best[0])) {
                    best = new double[]{a, b};
                }
            }
            if (best == null) {
                continue;
            }
            double[] crop = centreCrop(best[0], best[1], c.promptSeconds);
            double a = crop[0];
            double b = crop[1];
            if (old == null || b - a > old.cleanSeconds() + 1e-6 || moreTypical(old, a, b, prompts, voices)) {
                int from = Math.min(chunk.length, (int) (a * sr));
                int to = Math.min(chunk.length, (int) (b * sr));
                state.putPrompt(new SpeakerPrompt(label, Arrays.copyOfRange(chunk, from, Math.max(from, to)), b - a,
                        state.chunkIndex(), old == null ? null : old.voice(), old == null ? 0 : old.voiceFrames()));
            }
        }
    }

    /**
     * Every prompted speaker's voice profile grows by the frames where only they spoke
     * (call labels now: two chunk labels of one voice count as one).
     */
    private void growVoices(CallState state, List<ChunkSegment> segs, float[] embeddings) {
        for (Map.Entry<Integer, VoiceMatcher.VoiceSum> e : VoiceMatcher.ownVoiceSums(c, segs, embeddings).entrySet()) {
            SpeakerPrompt p = state.prompt(e.getKey());
            if (p != null) {
                if (p.voice() != null && profileOf(p) == null) {
                    p = p.withoutVoice();   // another model's profile: this one starts afresh
                }
                state.putPrompt(p.withVoice(e.getValue().sum(), e.getValue().frames()));
            }
        }
    }

    /** The chunk's segments into call time, joined to the call's segments ({@link SegmentStitcher}); next chunk. */
    private List<CallSegment> stitch(CallState state, List<ChunkSegment> segs) {
        double t0 = state.chunkIndex() * c.chunkSeconds;
        List<CallSegment> out = new ArrayList<>(segs.size());
        for (ChunkSegment s : segs) {
            CallSegment seg = new CallSegment(t0 + s.start(), t0 + s.end(), s.label(), s.confidence(),
                    state.chunkIndex());
            out.add(seg);
            SegmentStitcher.append(state.mutableSegments(), seg, c.joinGapSeconds);
        }
        state.nextChunk();
        return out;
    }

    /**
     * Per segment of {@code local}: its call label where known (given so far, or a prompted
     * speaker's), {@link #THIS_NEW} where it is the would-be new speaker {@code key},
     * {@link #OTHER_NEW} for another new one ({@code _owners} in prompts.py).
     */
    private static int[] owners(List<ChunkSegment> segs, List<ChunkSegment> local, List<SpeakerPrompt> prompts,
                                Match match, int key) {
        int[] out = new int[local.size()];
        for (int i = 0; i < out.length; i++) {
            int slot = match.segmentSlot()[i];
            if (i < segs.size()) {
                out[i] = segs.get(i).label();
            } else if (slot >= 0) {
                out[i] = prompts.get(slot).label();
            } else {
                out[i] = match.newKey(i, local.get(i)) == key ? THIS_NEW : OTHER_NEW;
            }
        }
        return out;
    }

    /**
     * The known call label a would-be new speaker is when the call is full
     * ({@code speakerCap}); {@code owners} from {@link #owners}. The voice of the new
     * speaker's segments (mean over the frames where only they speak, at least
     * {@code match.min_frames}) goes to the known speaker it is most like: their unit voice
     * profile, else their prompt's voice in this chunk, else their own frames in this chunk
     * (ties: lowest label). Without a voice to compare (too few frames): the
     * lowest known speaker who does not speak in this chunk, else speaker 0. Why: a further
     * label in a two-party call is the model or the matching losing one of the two voices,
     * and the voice says which. As {@code _closest_known} in prompts.py.
     */
    private int closestKnown(CallState state, List<SpeakerPrompt> prompts, VoiceMatcher voices, float[] embeddings,
                             List<ChunkSegment> local, int[] owners) {
        Map<Integer, double[]> solo = new HashMap<>();   // owner -> voice of the frames where only they speak
        List<ChunkSegment> owned = new ArrayList<>(local.size());
        for (int i = 0; i < owners.length; i++) {
            owned.add(new ChunkSegment(local.get(i).start(), local.get(i).end(), owners[i], local.get(i).confidence()));
        }
        for (Map.Entry<Integer, boolean[]> e : VoiceMatcher.soloFrames(c, owned).entrySet()) {
            if (VoiceMatcher.countOf(e.getValue()) >= c.matchMinFrames) {
                solo.put(e.getKey(), VoiceMatcher.chunkMean(c, embeddings, e.getValue()));
            }
        }
        double[] own = solo.get(THIS_NEW);
        int best = -1;
        double bestCosine = Double.NEGATIVE_INFINITY;
        for (int label = 0; own != null && label < state.labelCount(); label++) {
            SpeakerPrompt p = state.prompt(label);
            int slot = -1;
            for (int j = 0; j < prompts.size() && slot < 0; j++) {
                if (prompts.get(j).label() == label) {
                    slot = j;
                }
            }
            double[] v = p != null && profileOf(p) != null ? VoiceMatcher.unitCopy(p.voice())
                    : slot >= 0 ? voices.promptVoice(slot) : solo.get(label);
            if (v != null && VoiceMatcher.cosine(own, v) > bestCosine + 1e-12) {
                best = label;
                bestCosine = VoiceMatcher.cosine(own, v);
            }
        }
        if (best >= 0) {
            return best;
        }
        Set<Integer> heard = new java.util.HashSet<>();
        for (int o : owners) {
            heard.add(o);
        }
        for (int label = 0; label < state.labelCount(); label++) {
            if (!heard.contains(label)) {
                return label;
            }
        }
        return 0;
    }

    /**
     * Whether the clean region {@code [a, b)} of this chunk, as long as the speaker's
     * prompt, sounds more like their voice profile than the prompt does (both compared in
     * this chunk's encoding, so the speaker must have been prompted in it; the profile
     * must hold {@code match.profile_min_frames} frames). Why: a prompt is the first long clean
     * region the speaker was given, and if that was partly another voice, it would stay
     * for good and pull that voice to the wrong label in every later chunk. As
     * {@code _more_typical} in prompts.py.
     */
    private boolean moreTypical(SpeakerPrompt old, double a, double b, List<SpeakerPrompt> prompts,
                                VoiceMatcher voices) {
        if (profileOf(old) == null || old.voiceFrames() < c.profileMinFrames
                || b - a < old.cleanSeconds() - 1e-6) {
            return false;
        }
        int slot = -1;
        for (int j = 0; j < prompts.size() && slot < 0; j++) {
            if (prompts.get(j).label() == old.label()) {
                slot = j;
            }
        }
        double[] candidate = voices.regionVoice(a, b);
        if (slot < 0 || candidate == null) {
            return false;
        }
        double[] profile = VoiceMatcher.unitCopy(old.voice());
        return VoiceMatcher.cosine(candidate, profile) > VoiceMatcher.cosine(voices.promptVoice(slot), profile);
    }

    /**
     * The speaker's voice profile, or null if they have none or it has another length than
     * this model's voice embedding (state carried over from another model).
     */
    private double[] profileOf(SpeakerPrompt p) {
        return p.voice() != null && p.voice().length == c.speakerDim ? p.voice() : null;
    }

    private static int[] promptSamples(List<SpeakerPrompt> prompts) {
        int[] out = new int[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = prompts.get(i).audio().length;
        }
        return out;
    }

    /**
     * Intervals within {@code [t0, t1)} where {@code label} speaks and nobody else does
     * ({@code clean_regions} in prompts.py: the speaker's own segments are not merged first).
     */
    static List<double[]> cleanRegions(List<ChunkSegment> segs, int label, double t0, double t1) {
        List<double[]> own = new ArrayList<>();
        List<double[]> others = new ArrayList<>();
        for (ChunkSegment s : segs) {
            if (s.label() == label) {
                own.add(new double[]{Math.max(s.start(), t0), Math.min(s.end(), t1)});
            } else {
                others.add(new double[]{s.start(), s.end()});
            }
        }
        Comparator<double[]> byStartEnd = Comparator.<double[]>comparingDouble(x -> x[0]).thenComparingDouble(x -> x[1]);
        own.sort(byStartEnd);
        others.sort(byStartEnd);
        List<double[]> out = new ArrayList<>();
        for (double[] o : own) {
            if (o[1] <= o[0]) {
                continue;
            }
            List<double[]> pieces = new ArrayList<>();
            pieces.add(o);
            for (double[] x : others) {
                List<double[]> next = new ArrayList<>();
                for (double[] p : pieces) {
                    if (x[1] <= p[0] || x[0] >= p[1]) {
                        next.add(p);
                        continue;
                    }
                    if (x[0] > p[0]) {
                        next.add(new double[]{p[0], x[0]});
                    }
                    if (x[1] < p[1]) {
                        next.add(new double[]{x[1], p[1]});
                    }
                }
                pieces = next;
            }
            for (double[] p : pieces) {
                if (p[1] > p[0]) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The window of at most {@code length} seconds centred in {@code [a, b]}. */
    static double[] centreCrop(double a, double b, double length) {
        if (b - a <= length) {
            return new double[]{a, b};
        }
        double mid = (a + b) / 2;
        return new double[]{mid - length / 2, mid + length / 2};
    }

    /** Diarizes one whole call (samples at the model's rate); segments in call time, live labels. */
    public List<CallSegment> diarize(float[] call) {
        return diarize(call, false);
    }

    /**
     * Diarizes one whole call; with {@code finalLabels}, its labels decided again at its end
     * ({@link FinalLabels}) when the model's contract asks for it ({@code final.relabel}).
     */
    public List<CallSegment> diarize(float[] call, boolean finalLabels) {
        List<List<CallSegment>> out = new ArrayList<>();
        diarizeAll(List.of(call).iterator(), a -> a, 1, new Listener<>() {
            @Override
            public void callDone(float[] key, List<CallSegment> segments) {
                out.add(segments);
            }
        }, finalLabels);
        return out.get(0);
    }

    /** Receives progress and results from {@link #diarizeAll}. */
    public interface Listener<K> {

        /** A chunk of {@code seconds} audio of {@code call} was diarized. */
        default void chunkDone(K call, double seconds) {
        }

        /** {@code call} is finished; its segments in call time. */
        void callDone(K call, List<CallSegment> segments);
    }

    /**
     * Diarizes many calls, up to {@code batchSize} at a time: each model run takes the
     * next chunk of every active call (one chunk per call, since a call's next chunk
     * needs the prompts from this one), and a finished call's place goes to the next
     * call at once. With {@code batchSize} at least the number of calls this is exactly
     * {@code diarize_many} in prompts.py.
     *
     * @param calls   the calls, loaded lazily one by one through {@code load}
     * @param load    a call's audio at the model's rate, or null to skip the call
     */
    public <K> void diarizeAll(Iterator<K> calls, Function<K, float[]> load, int batchSize, Listener<K> listener) {
        diarizeAll(calls, load, batchSize, listener, false);
    }

    /**
     * {@link #diarizeAll(Iterator, Function, int, Listener)}; with {@code finalLabels}, each
     * call's labels decided again at its end ({@link FinalLabels}) when the model's contract
     * asks for it, from the pieces each chunk left ({@link #absorbForFinal}).
     */
    public <K> void diarizeAll(Iterator<K> calls, Function<K, float[]> load, int batchSize, Listener<K> listener,
                               boolean finalLabels) {
        boolean keep = finalLabels && c.finalRelabel;
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, not " + batchSize);
        }
        List<Active<K>> active = new ArrayList<>();
        while (true) {
            while (active.size() < batchSize && calls.hasNext()) {
                K key = calls.next();
                float[] audio = load.apply(key);
                if (audio != null) {
                    active.add(new Active<>(key, audio, chunkCount(audio.length)));
                }
            }
            if (active.isEmpty()) {
                return;
            }
            List<PreparedChunk> prepared = new ArrayList<>(active.size());
            List<ModelInput> inputs = new ArrayList<>(active.size());
            for (Active<K> a : active) {
                PreparedChunk p = prepare(a.state, chunk(a.audio, a.state.chunkIndex()));
                prepared.add(p);
                inputs.add(p.input());
            }
            List<DecodedChunk> decoded = runner.run(inputs);
            List<Active<K>> still = new ArrayList<>(active.size());
            for (int i = 0; i < active.size(); i++) {
                Active<K> a = active.get(i);
                if (keep) {
                    absorbForFinal(a.state, prepared.get(i), decoded.get(i));
                    a.pieces.addAll(a.state.finalPieces());
                } else {
                    absorb(a.state, prepared.get(i), decoded.get(i));
                }
                listener.chunkDone(a.key, prepared.get(i).chunk().length / (double) c.sampleRate);
                if (a.state.chunkIndex() >= a.chunks) {
                    List<CallSegment> segments = List.copyOf(a.state.segments());
                    listener.callDone(a.key, keep ? List.copyOf(FinalLabels.relabel(c, segments, a.pieces).segments())
                            : segments);
                } else {
                    still.add(a);
                }
            }
            active = still;
        }
    }

    private static final class Active<K> {
        final K key;
        final float[] audio;
        final int chunks;
        final CallState state = new CallState();
        /** The final pass's pieces of every chunk so far, with final labels. */
        final List<FinalPiece> pieces = new ArrayList<>();

        Active(K key, float[] audio, int chunks) {
            this.key = key;
            this.audio = audio;
            this.chunks = chunks;
        }
    }
}
