package io.streamdrz.topology;

import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.state.ArchivedPiece;
import io.streamdrz.state.ArchivedSegment;
import io.streamdrz.state.ChunkArchive;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@value DiarizationTopology#CALL_ARCHIVE_STORE} store: what each chunk of a call
 * leaves for the labels decided again at the call's end: the segments it made final and
 * its pieces for the final pass ({@link io.streamdrz.recipe.FinalLabels}). One record a
 * chunk, keyed by the call id and the chunk index, so that each write stays small however
 * long the call; the call's records are read in chunk order, and deleted, once it ends.
 * Where the store is not connected (revised labels off, or a processor tested alone), it
 * holds nothing.
 */
final class CallArchive {

    /** A call's whole archive, chunk by chunk: its final segments and its pieces. */
    record Call(List<CallSegment> segments, List<FinalPiece> pieces) {
    }

    private final KeyValueStore<Bytes, ChunkArchive> store;

    private CallArchive(KeyValueStore<Bytes, ChunkArchive> store) {
        this.store = store;
    }

    static CallArchive of(ProcessingContext context) {
        return new CallArchive(OptionalStore.of(context, DiarizationTopology.CALL_ARCHIVE_STORE));
    }

    boolean connected() {
        return store != null;
    }

    /** Keeps chunk {@code chunk}'s final segments and pieces (replacing what a chunk of that index left). */
    void put(String callId, int chunk, List<CallSegment> segments, List<FinalPiece> pieces) {
        if (store == null || segments.isEmpty() && pieces.isEmpty()) {
            return;
        }
        List<ArchivedSegment> segs = new ArrayList<>(segments.size());
        for (CallSegment s : segments) {
            segs.add(new ArchivedSegment(s.start(), s.end(), s.label(), (float) s.confidence(), s.chunkIndex()));
        }
        List<ArchivedPiece> kept = new ArrayList<>(pieces.size());
        for (FinalPiece p : pieces) {
            kept.add(new ArchivedPiece(p.start(), p.end(), p.label(), FramePayloads.toBytes(p.voice()),
                    CallStateCodec.cepstraToBytes(p.cepstra())));
        }
        store.put(key(callId, chunk), new ChunkArchive(segs, kept));
    }

    /** The call's archive in chunk order, and deleted. */
    Call take(String callId) {
        List<CallSegment> segments = new ArrayList<>();
        List<FinalPiece> pieces = new ArrayList<>();
        for (KeyValue<Bytes, ChunkArchive> e : drop(callId)) {
            for (ArchivedSegment s : e.value.getSegments()) {
                segments.add(new CallSegment(s.getStartSeconds(), s.getEndSeconds(), s.getLabel(), s.getConfidence(),
                        s.getChunkIndex()));
            }
            for (ArchivedPiece p : e.value.getPieces()) {
                pieces.add(new FinalPiece(p.getStartSeconds(), p.getEndSeconds(), p.getLabel(),
                        FramePayloads.fromBytes(p.getVoice()), CallStateCodec.cepstraFromBytes(p.getCepstra())));
            }
        }
        return new Call(segments, pieces);
    }

    /** Deletes the call's archive; returns what it held, in chunk order. */
    List<KeyValue<Bytes, ChunkArchive>> drop(String callId) {
        List<KeyValue<Bytes, ChunkArchive>> out = new ArrayList<>();
        if (store == null) {
            return out;
        }
        try (KeyValueIterator<Bytes, ChunkArchive> it = store.prefixScan(prefix(callId), Serdes.Bytes().serializer())) {
            it.forEachRemaining(out::add);
        }
        for (KeyValue<Bytes, ChunkArchive> e : out) {
            store.delete(e.key);
        }
        return out;
    }

    /** The call id's length, its UTF-8 bytes: no call's prefix is another's. */
    private static Bytes prefix(String callId) {
        byte[] id = callId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Integer.BYTES + id.length).putInt(id.length).put(id).array());
    }

    /** The prefix, then the chunk index big-endian: a call's chunks sort in order. */
    static Bytes key(String callId, int chunk) {
        byte[] p = prefix(callId).get();
        return Bytes.wrap(ByteBuffer.allocate(p.length + Integer.BYTES).put(p).putInt(chunk).array());
    }
}
