package io.streamdrz.topology;

import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SingleObjectSerde;
import io.streamdrz.schema.Voiceprint;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The global store follows the speakers topic: prints replace, tombstones delete, garbage is skipped. */
class VoiceprintStoreUpdaterTest {

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private final VoiceprintStoreUpdater updater = new VoiceprintStoreUpdater();
    private final SingleObjectCodec<Voiceprint> codec = SingleObjectCodec.forReleased(Voiceprint.class);
    private KeyValueStore<String, Voiceprint> store;

    @BeforeEach
    void setUp() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DiarizationTopology.VOICEPRINTS_STORE),
                Serdes.String(), new SingleObjectSerde<>(codec)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        updater.init(context);
    }

    private static Voiceprint print(String id, String name) {
        return Voiceprint.newBuilder().setSpeakerId(id).setDisplayName(name).setModelId("m")
                .setEmbeddings(List.of(List.of(1f, 0f))).setSpeechSeconds(10).setCreatedMs(1).build();
    }

    private void pipe(String key, byte[] value) {
        updater.process(new Record<>(key, value, 0L));
    }

    @Test
    void aPrintReplacesTheOldOneAndATombstoneDeletesIt() {
        pipe("ana", codec.encode(print("ana", "Ana")));
        pipe("ana", codec.encode(print("ana", "Ana S.")));
        assertEquals("Ana S.", store.get("ana").getDisplayName());
        pipe("ana", null);
        assertNull(store.get("ana"));
    }

    @Test
    void garbageAndMismatchedKeysAreSkipped() {
        pipe("bo", codec.encode(print("bo", "Bo")));
        pipe("bo", "not a voiceprint".getBytes(StandardCharsets.UTF_8));
        pipe("cy", codec.encode(print("bo", "Bo")));
        pipe(null, codec.encode(print("dee", "Dee")));
        assertEquals("Bo", store.get("bo").getDisplayName(), "the good print stays");
        assertNull(store.get("cy"));
        assertEquals(1, store.approximateNumEntries());
    }
}
