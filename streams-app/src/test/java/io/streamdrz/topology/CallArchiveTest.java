package io.streamdrz.topology;

import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SingleObjectSerde;
import io.streamdrz.state.ChunkArchive;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The call-archive store: a call's chunks back in order, exactly as kept, and no other call's. */
class CallArchiveTest {

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private KeyValueStore<Bytes, ChunkArchive> store;
    private CallArchive archive;

    @BeforeEach
    void setUp() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DiarizationTopology.CALL_ARCHIVE_STORE),
                        Serdes.Bytes(), new SingleObjectSerde<>(SingleObjectCodec.forReleased(ChunkArchive.class)))
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        archive = CallArchive.of(context);
    }

    private static FinalPiece piece(double start, int label, short[] cepstra) {
        return new FinalPiece(start, start + 1.0, label, new float[]{0.6f, -0.8f, 1e-7f}, cepstra);
    }

    private static CallSegment seg(double start, int label, int chunk) {
        return new CallSegment(start, start + 1.0, label, 0.75, chunk);
    }

    @Test
    void aCallsChunksComeBackInChunkOrderExactlyAsKeptAndAreDeleted() {
        short[] cepstra = {-32767, 0, 5, 32767};
        archive.put("a", 256, List.of(seg(2048.0, 1, 256)), List.of(piece(2048.0, 1, cepstra)));
        archive.put("a", 1, List.of(seg(8.0, 0, 1)), List.of(piece(8.0, 0, null), piece(9.0, 1, null)));
        archive.put("a", 255, List.of(), List.of(piece(2040.0, 0, cepstra)));
        archive.put("ab", 0, List.of(seg(0.0, 0, 0)), List.of());
        archive.put("a\u0000", 0, List.of(seg(0.0, 0, 0)), List.of());

        CallArchive.Call call = archive.take("a");
        assertEquals(List.of(seg(8.0, 0, 1), seg(2048.0, 1, 256)), call.segments());
        assertEquals(List.of(8.0, 9.0, 2040.0, 2048.0), call.pieces().stream().map(FinalPiece::start).toList());
        FinalPiece last = call.pieces().get(3);
        assertEquals(1, last.label());
        assertArrayEquals(new float[]{0.6f, -0.8f, 1e-7f}, last.voice());
        assertArrayEquals(cepstra, last.cepstra());
        assertNull(call.pieces().get(0).cepstra(), "no statistics stay none");

        assertEquals(new CallArchive.Call(List.of(), List.of()), archive.take("a"), "deleted");
        assertEquals(List.of(seg(0.0, 0, 0)), archive.take("ab").segments(), "another call's chunks stay");
        assertEquals(List.of(seg(0.0, 0, 0)), archive.take("a\u0000").segments());
    }

    @Test
    void aChunkThatLeftNothingWritesNothing() {
        archive.put("a", 0, List.of(), List.of());
        assertFalse(store.all().hasNext());
        assertTrue(archive.connected());
    }
}
