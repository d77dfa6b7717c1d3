package io.streamdrz.recipe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * What the streaming recipe keeps per call between chunks: the known speakers' prompts,
 * how many call labels are taken, the next chunk's index, the call's segments so far and
 * its voice bank.
 * The only per-call state type: the streams processor keeps one per call in a state
 * store (through its codec, {@code topology.CallStateCodec}), holding there only the
 * segments that may still grow; {@code diarize} keeps all of them. Only
 * {@link CallDiarizer} changes it.
 */
public final class CallState {

    private final List<SpeakerPrompt> prompts;
    private int labelCount;
    private int chunkIndex;
    private final List<CallSegment> segments;
    private final List<BankPiece> bank;
    /** Not part of the stored state: the streams app moves them to its archive at once. */
    private List<FinalPiece> finalPieces = List.of();

    /** A call before its first chunk. */
    public CallState() {
        this(List.of(), 0, 0, List.of(), List.of());
    }

    /** A call's state with an empty voice bank. */
    public CallState(List<SpeakerPrompt> prompts, int labelCount, int chunkIndex, List<CallSegment> segments) {
        this(prompts, labelCount, chunkIndex, segments, List.of());
    }

    public CallState(List<SpeakerPrompt> prompts, int labelCount, int chunkIndex, List<CallSegment> segments,
                     List<BankPiece> bank) {
        this.prompts = new ArrayList<>(prompts);
        this.prompts.sort(Comparator.comparingInt(SpeakerPrompt::label));
        this.labelCount = labelCount;
        this.chunkIndex = chunkIndex;
        this.segments = new ArrayList<>(segments);
        this.bank = new ArrayList<>(bank);
    }

    /** A copy that the recipe can change while this one stays as it is (prompts, segments and pieces are values). */
    public CallState copy() {
        return new CallState(prompts, labelCount, chunkIndex, segments, bank);
    }

    /** Prompts of the known speakers, by label. */
    public List<SpeakerPrompt> prompts() {
        return Collections.unmodifiableList(prompts);
    }

    /** Call labels handed out so far; the next new speaker gets this one. */
    public int labelCount() {
        return labelCount;
    }

    /** Index of the next chunk. */
    public int chunkIndex() {
        return chunkIndex;
    }

    /** The call's segments so far, in call time, in the order they were added. */
    public List<CallSegment> segments() {
        return Collections.unmodifiableList(segments);
    }

    /** The call's voice bank ({@link VoiceBank}): its newest labelled pieces of speech, oldest first. */
    public List<BankPiece> bank() {
        return Collections.unmodifiableList(bank);
    }

    /**
     * The final pass's pieces of the chunk absorbed last ({@link CallDiarizer#absorbForFinal});
     * empty in a copy, or where the model has no final pass.
     */
    public List<FinalPiece> finalPieces() {
        return finalPieces;
    }

    void setFinalPieces(List<FinalPiece> pieces) {
        finalPieces = List.copyOf(pieces);
    }

    void setBank(List<BankPiece> pieces) {
        List<BankPiece> copy = new ArrayList<>(pieces);
        bank.clear();
        bank.addAll(copy);
    }

    SpeakerPrompt prompt(int label) {
        for (SpeakerPrompt p : prompts) {
            if (p.label() == label) {
                return p;
            }
        }
        return null;
    }

    void putPrompt(SpeakerPrompt prompt) {
        for (int i = 0; i < prompts.size(); i++) {
            if (prompts.get(i).label() == prompt.label()) {
                prompts.set(i, prompt);
                return;
            }
        }
        prompts.add(prompt);
        prompts.sort(Comparator.comparingInt(SpeakerPrompt::label));
    }

    int newLabel() {
        return labelCount++;
    }

    void nextChunk() {
        chunkIndex++;
    }

    List<CallSegment> mutableSegments() {
        return segments;
    }
}
