package io.streamdrz.topology;

import io.streamdrz.recipe.BankPiece;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.SpeakerPrompt;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.OpenSegment;
import io.streamdrz.state.StoredBankPiece;
import io.streamdrz.state.StoredPrompt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The one translation between the engine's per-call state, {@link CallState}, and the
 * record the {@value DiarizationTopology#SPEAKER_PROMPTS_STORE} store keeps,
 * {@link CallDiarizationState} (every released version of which still reads: the schema
 * store resolves an older record, e.g. v1 without voice profiles, to the current one).
 * What is stored of the speakers is bounded by {@link PromptBudget}.
 */
final class CallStateCodec {

    private CallStateCodec() {
    }

    static CallState decode(CallDiarizationState stored) {
        List<SpeakerPrompt> prompts = new ArrayList<>(stored.getPrompts().size());
        for (StoredPrompt p : stored.getPrompts()) {
            prompts.add(new SpeakerPrompt(p.getLabel(), FramePayloads.fromBytes(p.getSamples()), p.getCleanSeconds(),
                    p.getLastChunk(), voiceFromBytes(p.getVoice()), p.getVoiceFrames()));
        }
        List<CallSegment> segments = new ArrayList<>(stored.getOpen().size());
        for (OpenSegment s : stored.getOpen()) {
            segments.add(new CallSegment(s.getStartSeconds(), s.getEndSeconds(), s.getLabel(), s.getConfidence(),
                    s.getChunkIndex()));
        }
        List<BankPiece> bank = new ArrayList<>(stored.getBank().size());
        for (StoredBankPiece p : stored.getBank()) {
            bank.add(new BankPiece(bytesOf(p.getEmbedding()), p.getSeconds(), p.getLabel(),
                    cepstraFromBytes(p.getCepstra())));
        }
        return new CallState(prompts, stored.getLabels(), stored.getChunkIndex(), segments, bank);
    }

    static CallDiarizationState encode(CallState state) {
        List<StoredPrompt> prompts = new ArrayList<>();
        for (SpeakerPrompt p : PromptBudget.bound(state.prompts())) {
            prompts.add(new StoredPrompt(p.label(), FramePayloads.toBytes(p.audio()), p.cleanSeconds(), p.lastChunk(),
                    voiceToBytes(p.voice()), p.voiceFrames()));
        }
        List<OpenSegment> open = new ArrayList<>(state.segments().size());
        for (CallSegment s : state.segments()) {
            open.add(new OpenSegment(s.start(), s.end(), s.label(), (float) s.confidence(), s.chunkIndex()));
        }
        List<StoredBankPiece> bank = new ArrayList<>(state.bank().size());
        for (BankPiece p : state.bank()) {
            bank.add(new StoredBankPiece(ByteBuffer.wrap(p.embedding().clone()), p.seconds(), p.label(),
                    cepstraToBytes(p.cepstra())));
        }
        return new CallDiarizationState(state.chunkIndex(), state.labelCount(), prompts, open, bank);
    }

    /** A bank piece's cepstral statistics as stored: 16-bit integers, little-endian; empty for none. */
    static ByteBuffer cepstraToBytes(short[] cepstra) {
        if (cepstra == null) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer out = ByteBuffer.allocate(cepstra.length * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asShortBuffer().put(cepstra);
        return out;
    }

    /** The stored cepstral statistics; null when empty (none, or state written before version 4). */
    static short[] cepstraFromBytes(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() == 0) {
            return null;
        }
        short[] out = new short[in.remaining() / Short.BYTES];
        in.asShortBuffer().get(out);
        return out;
    }

    /** A voice profile as stored: 64-bit floats, little-endian, so a restored call matches exactly as before. */
    static ByteBuffer voiceToBytes(double[] voice) {
        if (voice == null) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer out = ByteBuffer.allocate(voice.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.asDoubleBuffer().put(voice);
        return out;
    }

    /** The stored voice profile; null when empty (none yet, or state written before profiles existed). */
    static double[] voiceFromBytes(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() == 0) {
            return null;
        }
        double[] out = new double[in.remaining() / Double.BYTES];
        in.asDoubleBuffer().get(out);
        return out;
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        ByteBuffer in = buffer.duplicate();
        byte[] out = new byte[in.remaining()];
        in.get(out);
        return out;
    }
}
