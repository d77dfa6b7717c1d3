package io.streamdrz.inference;

import io.streamdrz.audio.MelSpec;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the runtime needs to know about a model, read from the {@code streamdrz.*}
 * metadata that {@code models/export.py} writes into both ONNX files (see its
 * {@code contract()}): sample rate and mel recipe, the input layout (prompt slots and
 * chunk), the token ids and limits of the grammar, and the decoder's cache shape.
 *
 * <p>Nothing here is hard-coded: a retrained or resized model brings its own values.
 * {@link #fromMetadata} checks that every key is present and well formed and that the
 * values agree with each other, so a broken export fails at start-up, not mid-call.
 */
public final class ModelContract {

    /** The contract versions this runtime understands. */
    public static final String SUPPORTED_VERSION = "7";
    static final String PREFIX = "streamdrz.";

    private final String source;
    private final Map<String, String> values;

    public final String modelId;
    public final int sampleRate;
    public final MelSpec mel;
    public final int promptSlots;
    public final double promptSeconds;
    public final double promptSilenceSeconds;
    public final double chunkSeconds;
    public final int inputSamples;
    public final int nFrames;
    public final double binSeconds;
    /** Chunk labels the model can write (A, B, ...: its vocabulary; not a per-call cap). */
    public final int maxSpeakers;
    public final int maxSegments;
    public final int tokenPad;
    public final int tokenEos;
    public final int tokenSod;
    public final int tokenTime0;
    public final int nBins;
    public final int tokenSpeaker0;
    public final int vocabSize;
    public final int maxLen;
    public final int decoderLayers;
    public final int decoderHeads;
    public final int headDim;
    public final int encoderFrames;
    public final int encoderChunkStart;
    public final double encoderFrameSeconds;
    /** Input samples per encoder frame. */
    public final int encoderFrameSamples;
    /** Length of the voice embedding the encoder gives per frame ({@code speaker_embedding}). */
    public final int speakerDim;
    /** Least cosine similarity for a chunk speaker to be a prompted one ({@link VoiceMatcher}). */
    public final double matchThreshold;
    /** Least cosine similarity for a leftover chunk label to join a prompted voice. */
    public final double mergeThreshold;
    /** The same for two labels of a chunk without prompts (a call's start). */
    public final double unpromptedMergeThreshold;
    /** Encoder frames a chunk speaker must speak alone to be compared by voice. */
    public final int matchMinFrames;
    /** A known label's segment less similar than this to every prompt is someone else. */
    public final double strangerThreshold;
    /** Share of a prompt slot's voice taken from the speaker's voice profile, 0..1 ({@link VoiceMatcher}). */
    public final double profileWeight;
    /** A speaker's segments closer than this (seconds) are joined ({@link SegmentStitcher}). */
    public final double joinGapSeconds;
    /**
     * A decoded segment with at least this share of its length inside longer segments of
     * other labels is dropped ({@code recipe.NestedSegments}); above 1 none is. Files exported
     * before the key existed lack it and read as {@link #NESTED_SHARE_OFF}.
     */
    public final double nestedShare;
    /** {@link #nestedShare} of a file without the key: no segment is dropped. */
    public static final double NESTED_SHARE_OFF = 2.0;
    /**
     * Pieces of labelled speech a call's voice bank keeps ({@code recipe.VoiceBank}); 0: no
     * bank, what files exported before the key existed read as.
     */
    public final int reclusterPieces;
    /**
     * The most pieces a voice bank may keep: at one byte a dimension, 256 pieces of the
     * shipped 128 dimensions are 36 KB of a call's state record ({@code topology.PromptBudget}).
     */
    public static final int MAX_RECLUSTER_PIECES = 256;
    /** Length (seconds) the voice bank cuts a segment's pieces to, about. */
    public final double reclusterPieceSeconds;
    /**
     * Whether the voice bank, once it holds any piece, also labels the pieces of a label it
     * holds no piece of (a new speaker): {@code recluster.new_speakers} = {@code bank};
     * {@code stream} leaves them the recipe's label, and is what files without the key read as.
     */
    public final boolean reclusterJudgesNewSpeakers;
    /**
     * Once the voice bank's clusters are as few as the call's labels, clusters closer than
     * this cosine distance merge too ({@code recluster.merge_distance}), so that a label
     * given to a voice the bank holds under another goes back to it; 0, what files without
     * the key read as, never merges.
     */
    public final double reclusterMergeDistance;
    /**
     * Weight of the cepstral distance beside the voice distance in the bank:
     * {@code (voice + w cepstral) / (1 + w)} ({@code recluster.cepstral_weight}); 0, voice
     * alone, for files without the key.
     */
    public final double reclusterCepstralWeight;
    /**
     * Whole files' labels decided again at their end, the call's pieces clustered into as many
     * clusters as it has live labels ({@code final.relabel} = {@code labels}); false
     * ({@code none}) for files without the key.
     */
    public final boolean finalRelabel;
    /**
     * Weight of the cepstral distance beside the voice distance in the final pass:
     * {@code (voice + w cepstral) / (1 + w)} ({@code final.cepstral_weight}); 0, voice alone,
     * for files without the key.
     */
    public final double finalCepstralWeight;
    /**
     * Below its count of live labels, the final pass goes on merging its two closest
     * clusters while they are nearer than this ({@code final.merge_distance}): one voice
     * the stream gave two labels becomes one again. 0, never, for files without the key.
     */
    public final double finalMergeDistance;
    /** Shorter clean regions (seconds) identify a voice too poorly to prompt with. */
    public final double promptMinSeconds;
    /** Trimmed off each end of a predicted clean region (seconds): boundaries are uncertain. */
    public final double promptEdgeSeconds;
    /** Frames a voice profile must hold to judge which prompt is typical, or to refine by. */
    public final int profileMinFrames;
    /** Voice refinement passes: reassign frames, re-estimate the voices ({@link VoiceRefiner}). */
    public final int refineIterations;
    /** A shorter run of frames of another voice inside a segment is noise ({@link VoiceRefiner}). */
    public final int refineMinRun;
    /** The speech gate: which VAD decides where speech is ({@code recipe.SpeechGate}). */
    /** Speakers by name: threshold, hysteresis and the frames a voice needs. */
    public final IdentifySpec identify;
    public final VadSpec vad;
    /** Live windows: the window graph and its activity threshold ({@link WindowEncoder}). */
    public final LiveWindowSpec live;
    public final String graph;

    private ModelContract(String source, Map<String, String> meta) {
        this.source = source;
        this.values = new TreeMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                values.put(k, v);
            }
        });
        String version = string("contract_version");
        if (!SUPPORTED_VERSION.equals(version)) {
            throw new ModelContractException(source + ": unsupported model contract version '" + version
                    + "' (key streamdrz.contract_version; this runtime reads version " + SUPPORTED_VERSION
                    + "; models/export.py --restamp PREFIX brings an older model's files up to date)");
        }
        modelId = string("model_id");
        sampleRate = positiveInt("sample_rate");
        mel = melSpec();
        promptSlots = nonNegativeInt("prompt_slots");
        promptSeconds = nonNegativeDouble("prompt_seconds");
        promptSilenceSeconds = nonNegativeDouble("prompt_silence_seconds");
        chunkSeconds = positiveDouble("chunk_seconds");
        inputSamples = positiveInt("input_samples");
        nFrames = positiveInt("n_frames");
        binSeconds = positiveDouble("bin_seconds");
        maxSpeakers = positiveInt("max_speakers");
        maxSegments = positiveInt("max_segments");
        tokenPad = nonNegativeInt("token.pad");
        tokenEos = nonNegativeInt("token.eos");
        tokenSod = nonNegativeInt("token.sod");
        tokenTime0 = nonNegativeInt("token.time0");
        nBins = positiveInt("token.n_bins");
        tokenSpeaker0 = nonNegativeInt("token.speaker0");
        vocabSize = positiveInt("token.vocab_size");
        maxLen = positiveInt("token.max_len");
        decoderLayers = positiveInt("decoder.layers");
        decoderHeads = positiveInt("decoder.heads");
        headDim = positiveInt("decoder.head_dim");
        encoderFrames = positiveInt("encoder.frames");
        encoderChunkStart = nonNegativeInt("encoder.chunk_start");
        encoderFrameSeconds = positiveDouble("encoder.frame_seconds");
        encoderFrameSamples = positiveInt("encoder.frame_samples");
        speakerDim = positiveInt("speaker.dim");
        matchThreshold = parseDouble("match.threshold");
        mergeThreshold = parseDouble("match.merge_threshold");
        unpromptedMergeThreshold = parseDouble("match.unprompted_merge_threshold");
        matchMinFrames = positiveInt("match.min_frames");
        strangerThreshold = parseDouble("match.stranger_threshold");
        profileWeight = nonNegativeDouble("match.profile_weight");
        require(profileWeight <= 1.0, "match.profile_weight", "must be between 0 and 1, not " + profileWeight);
        joinGapSeconds = nonNegativeDouble("join_gap_seconds");
        nestedShare = values.containsKey(PREFIX + "overlap.nested_share")
                ? positiveDouble("overlap.nested_share") : NESTED_SHARE_OFF;
        reclusterPieces = values.containsKey(PREFIX + "recluster.pieces") ? nonNegativeInt("recluster.pieces") : 0;
        require(reclusterPieces <= MAX_RECLUSTER_PIECES, "recluster.pieces", "must be at most "
                + MAX_RECLUSTER_PIECES + " (each call's state store record holds them), not " + reclusterPieces);
        reclusterPieceSeconds = values.containsKey(PREFIX + "recluster.piece_seconds")
                ? positiveDouble("recluster.piece_seconds") : 1.0;
        String newSpeakers = values.containsKey(PREFIX + "recluster.new_speakers")
                ? string("recluster.new_speakers") : "stream";
        require(newSpeakers.equals("stream") || newSpeakers.equals("bank"), "recluster.new_speakers",
                "must be 'stream' or 'bank', not '" + newSpeakers + "'");
        reclusterJudgesNewSpeakers = newSpeakers.equals("bank");
        reclusterMergeDistance = values.containsKey(PREFIX + "recluster.merge_distance")
                ? nonNegativeDouble("recluster.merge_distance") : 0.0;
        reclusterCepstralWeight = values.containsKey(PREFIX + "recluster.cepstral_weight")
                ? nonNegativeDouble("recluster.cepstral_weight") : 0.0;
        String relabel = values.containsKey(PREFIX + "final.relabel") ? string("final.relabel") : "none";
        require(relabel.equals("none") || relabel.equals("labels"), "final.relabel",
                "must be 'none' or 'labels', not '" + relabel + "'");
        finalRelabel = relabel.equals("labels");
        finalCepstralWeight = values.containsKey(PREFIX + "final.cepstral_weight")
                ? nonNegativeDouble("final.cepstral_weight") : 0.0;
        finalMergeDistance = values.containsKey(PREFIX + "final.merge_distance")
                ? nonNegativeDouble("final.merge_distance") : 0.0;
        promptMinSeconds = nonNegativeDouble("prompt.min_seconds");
        promptEdgeSeconds = nonNegativeDouble("prompt.edge_seconds");
        profileMinFrames = nonNegativeInt("match.profile_min_frames");
        refineIterations = positiveInt("refine.iterations");
        refineMinRun = positiveInt("refine.min_run");
        identify = identifySpec();
        vad = vadSpec();
        live = liveSpec();
        graph = string("graph");
        checkConsistency();
    }

    /**
     * Reads and validates the contract from a model file's metadata.
     *
     * @param source the file, named in errors
     * @throws ModelContractException naming the file and the key that is missing or wrong
     */
    public static ModelContract fromMetadata(String source, Map<String, String> metadata) {
        return new ModelContract(source, metadata);
    }

    private void checkConsistency() {
        require(mel.sampleRate() == sampleRate, "mel.*", "sample rate and mel recipe disagree");
        require(slotSamples() * promptSlots + chunkSamples() == inputSamples, "input_samples",
                "is " + inputSamples + " but prompt_slots * slot + chunk = "
                        + (slotSamples() * promptSlots + chunkSamples()));
        require(mel.frames(inputSamples) == nFrames, "n_frames",
                "is " + nFrames + " but input_samples / hop_length = " + mel.frames(inputSamples));
        require(promptSamples() <= slotSamples(), "prompt_seconds", "longer than its slot");
        require(Math.abs(encoderFrameSeconds * sampleRate - encoderFrameSamples) < 1e-6, "encoder.frame_samples",
                "is " + encoderFrameSamples + " but frame_seconds * sample_rate = " + encoderFrameSeconds * sampleRate);
        require(slotSamples() % encoderFrameSamples == 0, "encoder.frame_samples", "must divide a prompt slot");
        require(encoderChunkStart * encoderFrameSamples == chunkOffset(), "encoder.chunk_start",
                "must be the frame where the chunk starts");
        require(tokenTime0 + nBins == tokenSpeaker0, "token.speaker0", "must follow the last time bin");
        require(tokenSpeaker0 + maxSpeakers == vocabSize, "token.vocab_size", "must be speaker0 + max_speakers");
        require(nBins == (int) Math.rint(chunkSeconds / binSeconds) + 1, "token.n_bins",
                "must be chunk_seconds / bin_seconds + 1");
        require(maxLen >= 2 + 3 * maxSegments, "token.max_len", "too short for max_segments triples");
        int[] special = {tokenPad, tokenEos, tokenSod};
        for (int id : special) {
            require(id < tokenTime0, "token.time0", "special tokens must come before the time bins");
        }
        require(tokenPad != tokenEos && tokenEos != tokenSod && tokenPad != tokenSod, "token.*",
                "pad, eos and sod must differ");
    }

    /**
     * Checks that an encoder and a decoder contract describe the same model: the same
     * model id and the same value for every key except {@code streamdrz.graph}.
     */
    public void requireSameModel(ModelContract other) {
        if (!modelId.equals(other.modelId)) {
            throw new ModelContractException(source + " and " + other.source + " belong to different models: "
                    + "streamdrz.model_id '" + modelId + "' vs '" + other.modelId + "'");
        }
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (key.equals(PREFIX + "graph")) {
                continue;
            }
            String theirs = other.values.get(key);
            if (!e.getValue().equals(theirs)) {
                throw new ModelContractException(source + " and " + other.source + " disagree on " + key
                        + ": '" + e.getValue() + "' vs '" + theirs + "'");
            }
        }
    }

    /** The file this contract was read from. */
    public String source() {
        return source;
    }

    /** Samples of one prompt slot: prompt speech plus its silence. */
    public int slotSamples() {
        return (int) Math.rint((promptSeconds + promptSilenceSeconds) * sampleRate);
    }

    /** Samples of prompt speech a slot holds at most. */
    public int promptSamples() {
        return (int) Math.rint(promptSeconds * sampleRate);
    }

    /** Samples of one chunk of the call. */
    public int chunkSamples() {
        return (int) Math.rint(chunkSeconds * sampleRate);
    }

    /** Offset of the chunk in the model input. */
    public int chunkOffset() {
        return promptSlots * slotSamples();
    }

    /** Samples of a live window's audio after the prompt slots ({@code live.window_seconds}). */
    public int windowSamples() {
        return (int) Math.rint(live.seconds() * sampleRate);
    }

    /** Samples of a live window's whole input: the prompt slots, then the window. */
    public int windowInputSamples() {
        return chunkOffset() + windowSamples();
    }

    /** Every {@code streamdrz.*} key and value, sorted by key. */
    public Map<String, String> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    private IdentifySpec identifySpec() {
        double threshold = parseDouble("identify.threshold");
        require(threshold > -1 && threshold < 1, "identify.threshold", "must be a cosine in (-1, 1), not " + threshold);
        return new IdentifySpec(threshold, nonNegativeDouble("identify.hysteresis"), profileMinFrames);
    }

    private VadSpec vadSpec() {
        double threshold = nonNegativeDouble("vad.threshold");
        double negThreshold = nonNegativeDouble("vad.neg_threshold");
        require(negThreshold <= threshold, "vad.neg_threshold", "must not exceed vad.threshold");
        return new VadSpec(string("vad.file"), string("vad.sha256"), threshold, negThreshold,
                nonNegativeDouble("vad.min_speech_seconds"), nonNegativeDouble("vad.min_silence_seconds"),
                nonNegativeDouble("vad.pad_seconds"), nonNegativeDouble("vad.fill_min_seconds"));
    }

    private LiveWindowSpec liveSpec() {
        double seconds = positiveDouble("live.window_seconds");
        require(seconds <= chunkSeconds, "live.window_seconds", "must not exceed chunk_seconds");
        double threshold = nonNegativeDouble("live.activity_threshold");
        require(threshold < 1, "live.activity_threshold", "must be a probability below 1, not " + threshold);
        return new LiveWindowSpec(string("live.window_file"), string("live.window_sha256"), seconds, threshold);
    }

    private MelSpec melSpec() {
        try {
            return new MelSpec(sampleRate, positiveInt("mel.n_fft"), positiveInt("mel.win_length"),
                    positiveInt("mel.hop_length"), positiveInt("mel.n_mels"), nonNegativeDouble("mel.f_min"),
                    positiveDouble("mel.f_max"), positiveDouble("mel.log_floor"));
        } catch (IllegalArgumentException e) {
            throw new ModelContractException(source + ": invalid mel recipe (keys streamdrz.mel.*): " + e.getMessage());
        }
    }

    private String string(String key) {
        String v = values.get(PREFIX + key);
        if (v == null) {
            throw new ModelContractException(source + ": metadata key " + PREFIX + key
                    + " is missing (was the model exported by models/export.py?)");
        }
        return v.trim();
    }

    private int positiveInt(String key) {
        int v = parseInt(key);
        require(v > 0, key, "must be positive, not " + v);
        return v;
    }

    private int nonNegativeInt(String key) {
        int v = parseInt(key);
        require(v >= 0, key, "must not be negative, not " + v);
        return v;
    }

    private int parseInt(String key) {
        String v = string(key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ModelContractException(source + ": metadata key " + PREFIX + key + " is not an integer: '" + v + "'");
        }
    }

    private double positiveDouble(String key) {
        double v = parseDouble(key);
        require(v > 0, key, "must be positive, not " + v);
        return v;
    }

    private double nonNegativeDouble(String key) {
        double v = parseDouble(key);
        require(v >= 0, key, "must not be negative, not " + v);
        return v;
    }

    private double parseDouble(String key) {
        String v = string(key);
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ModelContractException(source + ": metadata key " + PREFIX + key + " is not a number: '" + v + "'");
        }
    }

    private void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ModelContractException(source + ": metadata key " + PREFIX + key + " " + problem);
        }
    }

    @Override
    public String toString() {
        return "ModelContract[" + modelId + ", " + source + "]";
    }
}
