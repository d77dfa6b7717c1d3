package io.streamdrz.topology;

import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SingleObjectSerde;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.topology.TestCalls.Seg;
import io.streamdrz.testing.CapturedLog;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The diarization processor alone, with a mock context: when segments go out and what state stays. */
class ChunkDiarizationProcessorTest {

    private final MockProcessorContext<String, Object> context = new MockProcessorContext<>();
    private final FakeInference engine = new FakeInference(16_000);
    private final ChunkDiarizationProcessor processor = new ChunkDiarizationProcessor(engine);
    private KeyValueStore<String, CallDiarizationState> store;

    @BeforeEach
    void setUp() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DiarizationTopology.SPEAKER_PROMPTS_STORE),
                        Serdes.String(), new SingleObjectSerde<>(SingleObjectCodec.forReleased(CallDiarizationState.class)))
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        processor.init(context);
    }

    @Test
    void aSegmentTouchingTheChunkEndWaitsForTheNextChunkAndOneThatEndsEarlierDoesNot() {
        // Chunk 0: voice 5 for 0.5 s, silence, voice 2 from 0.7 s to the end of the chunk.
        chunk(0, TestCalls.audio(16_000, "5:500", "0:200", "2:300"), false);
        assertEquals(List.of(new Seg("A", 0, 500)), segments());
        CallDiarizationState state = store.get("call-1");
        assertEquals(1, state.getOpen().size(), "B touches the chunk end: held open");
        assertEquals(2, state.getPrompts().size());
        assertEquals(1, state.getChunkIndex());

        // Chunk 1: B goes on for 0.4 s; it is final once chunk 1 shows where it ends.
        context.resetForwards();
        chunk(1, TestCalls.audio(16_000, "2:400", "0:600"), false);
        assertEquals(List.of(new Seg("B", 700, 1400)), segments());
        assertEquals(1, ((SpeakerSegment) context.forwarded().get(0).record().value()).getChunkIndex(),
                "last extended by chunk 1");
        assertEquals(List.of(), store.get("call-1").getOpen());
    }

    @Test
    void theLastChunkEmitsEverythingThenTheEndRecordAndDeletesTheState() {
        chunk(0, TestCalls.audio(16_000, "0:500", "5:500"), false);
        assertEquals(List.of(), segments());
        context.resetForwards();
        chunk(1, new float[0], true);
        List<CapturedForward<? extends String, ?>> out = context.forwarded();
        assertEquals(2, out.size());
        assertEquals(new Seg("A", 500, 1000), Seg.of((SpeakerSegment) out.get(0).record().value()));
        assertNull(out.get(1).record().value());
        assertNotNull(out.get(1).record().headers().lastHeader(DiarizationTopology.CALL_END_HEADER));
        assertNull(store.get("call-1"));
        assertEquals(1, engine.chunks(), "an empty last chunk costs no inference");
    }

    @Test
    void aProcessorCreatedAgainForTheSameTaskReusesItsCounters() {
        // A task that is closed and revived gets new processor instances on the same thread and metrics.
        try (CapturedLog log = CapturedLog.of(ChunkDiarizationProcessor.class)) {
            for (int i = 0; i < 2; i++) {
                ChunkDiarizationProcessor failing = new ChunkDiarizationProcessor(new FakeInference(16_000, c -> true));
                failing.init(context);
                failing.process(new Record<>("call-" + i, new AudioChunk("call-" + i, 0, new float[16_000], false, null), 0L));
            }
            assertEquals(List.of("call call-0: inference failed on chunk 0; the chunk yields no segments",
                    "call call-1: inference failed on chunk 0; the chunk yields no segments"), log.errors());
        }
        double failures = context.metrics().metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("inference-failures-total"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
        assertEquals(2.0, failures);
    }

    private void chunk(int index, float[] samples, boolean last) {
        float[] chunk = last ? samples : Arrays.copyOf(samples, 16_000);
        processor.process(new Record<>("call-1", new AudioChunk("call-1", index, chunk, last,
                last ? CallEnd.END_OF_STREAM : null), 1_000L * index));
    }

    private List<Seg> segments() {
        return context.forwarded().stream()
                .filter(f -> f.record().value() != null)
                .map(f -> Seg.of((SpeakerSegment) f.record().value()))
                .toList();
    }
}
