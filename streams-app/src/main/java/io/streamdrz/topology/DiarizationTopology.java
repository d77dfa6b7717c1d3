package io.streamdrz.topology;

import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SingleObjectSerde;
import io.streamdrz.schema.SpeakerSegmentSerde;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.SpeakerIdentifier;
import io.streamdrz.state.BufferedFrame;
import io.streamdrz.state.CallAudioState;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.CallSpeakersState;
import io.streamdrz.state.ChunkArchive;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

import java.util.Map;
import java.util.function.Function;

/**
 * The streamdrz topology: call audio in, speaker segments out.
 *
 * <pre>
 * audio-in (bytes) --> validate --> assemble --> diarize --> segments-out
 *                         |            |     \        | \--> segments-revised (revised labels on)
 *                         |            |      +---> live --> segments-live   (live labels on)
 *                         +------------+--> audio-in-dlq
 * </pre>
 *
 * <ul>
 *   <li>{@value #VALIDATOR} ({@link FrameValidator}): decodes each record as an AudioFrame and
 *       its payload as mono samples; anything unusable goes to the dead-letter topic.</li>
 *   <li>{@value #ASSEMBLER} ({@link ChunkAssembler}): orders each call's frames, fills gaps,
 *       drops duplicates, enforces the per-call limits and cuts chunks of the model's length;
 *       stores {@value #AUDIO_BUFFER_STORE} (frames not yet in a chunk) and
 *       {@value #CALL_STATE_STORE} (where each call stands); finishes idle calls.</li>
 *   <li>{@value #DIARIZER} ({@link ChunkDiarizationProcessor}): runs each chunk through the
 *       {@link ChunkInference} with the call's speaker prompts (store
 *       {@value #SPEAKER_PROMPTS_STORE}) and emits SpeakerSegment records when they are final;
 *       with revised labels on ({@link TopologyConfig#revised()}), keeps what each chunk leaves
 *       for the final pass in store {@value #CALL_ARCHIVE_STORE} ({@link CallArchive}) and at
 *       the call's end writes all its segments once more, labelled over the whole call.</li>
 *   <li>Speakers by name: store {@value #CALL_SPEAKERS_STORE} holds each call's hints (written
 *       by the validator) and identities (written by the diarizer, {@link CallIdentification});
 *       with a speakers topic, the global store {@value #VOICEPRINTS_STORE} holds every
 *       enrolled voiceprint ({@link VoiceprintStoreUpdater}).</li>
 *   <li>{@value #LIVE} ({@link LiveLabeler}), with live labels on ({@link LiveConfig}): hears
 *       each call's audio in order from the assembler and its final chunks from the
 *       diarizer, and writes PROVISIONAL segments of the newest audio to the live topic;
 *       reads the speaker prompts and call speakers, writes no store.</li>
 * </ul>
 *
 * Reads {@code audio-in} and, with identification, the compacted {@code speakers} topic;
 * writes {@code segments-out}, {@code audio-in-dlq} and, with revised labels on,
 * {@code segments-revised} (names from {@link TopologyConfig}
 * and {@link IdentificationConfig}). Every call store is persistent and changelogged, so with
 * {@code exactly_once_v2} buffers, prompts and emitted segments advance together.
 * Records are keyed by call id throughout, so each call lives in one task.
 */
public final class DiarizationTopology {

    public static final String SOURCE = "audio-in";
    public static final String VALIDATOR = "validate";
    public static final String ASSEMBLER = "assemble";
    public static final String DIARIZER = "diarize";
    public static final String SEGMENTS_SINK = "segments-out";
    public static final String LIVE = "live";
    public static final String LIVE_SINK = "segments-live";
    public static final String DEAD_LETTER_SINK = "dead-letters";
    public static final String REVISED_SINK = "segments-revised";

    public static final String AUDIO_BUFFER_STORE = "audio-buffer";
    public static final String CALL_STATE_STORE = "call-state";
    public static final String SPEAKER_PROMPTS_STORE = "speaker-prompts";
    /** Per call and chunk: its final segments and final-pass pieces, until the call ends ({@link CallArchive}). */
    public static final String CALL_ARCHIVE_STORE = "call-archive";
    /** Per call: the producer's hints and who its speakers were identified as ({@link CallSpeakersStore}). */
    public static final String CALL_SPEAKERS_STORE = "call-speakers";
    /** Global: the enrolled voiceprints, a copy of the speakers topic on every instance. */
    public static final String VOICEPRINTS_STORE = "voiceprints";
    public static final String VOICEPRINTS_SOURCE = "speakers";
    public static final String VOICEPRINTS_UPDATER = "voiceprints-update";

    /** Header of the end-of-call record on segments-out (null value): the {@link CallEnd} name. */
    public static final String CALL_END_HEADER = "streamdrz.call.end";

    private DiarizationTopology() {
    }

    /**
     * Builds the topology. Does no I/O and reads no configuration beyond its arguments.
     *
     * @param config    topics and frame rules
     * @param inference the engine; shared by every task and stream thread
     */
    public static Topology build(TopologyConfig config, ChunkInference inference) {
        return build(config, inference, IdentificationConfig.NONE);
    }

    /**
     * {@link #build(TopologyConfig, ChunkInference)} with identification of enrolled
     * speakers from {@code identification}'s speakers topic ({@link CallIdentification}).
     */
    public static Topology build(TopologyConfig config, ChunkInference inference, IdentificationConfig identification) {
        return build(config, inference, identification, LiveConfig.OFF, Stores::persistentKeyValueStore);
    }

    /**
     * {@link #build(TopologyConfig, ChunkInference, IdentificationConfig)} with live labels
     * ({@link LiveLabeler}) when {@code live} is enabled.
     */
    public static Topology build(TopologyConfig config, ChunkInference inference, IdentificationConfig identification,
                                 LiveConfig live) {
        return build(config, inference, identification, live, Stores::persistentKeyValueStore);
    }

    /**
     * {@link #build(TopologyConfig, ChunkInference)} with stores of another kind: tests that
     * push many thousand records through the logic use in-memory ones (RocksDB flushes on every
     * commit of the test driver, that is on every record).
     */
    static Topology build(TopologyConfig config, ChunkInference inference,
                          Function<String, KeyValueBytesStoreSupplier> stores) {
        return build(config, inference, IdentificationConfig.NONE, LiveConfig.OFF, stores);
    }

    static Topology build(TopologyConfig config, ChunkInference inference, IdentificationConfig identification,
                          LiveConfig live, Function<String, KeyValueBytesStoreSupplier> stores) {
        double chunkSeconds = inference.chunkSamples() / (double) inference.sampleRate();
        if (config.bufferMax().toMillis() < chunkSeconds * 1000 + 1000) {
            throw new IllegalArgumentException("the buffer limit (" + config.bufferMax().toMillis()
                    + " ms) must exceed the model's chunk (" + Math.round(chunkSeconds * 1000) + " ms) by a second at least");
        }
        Topology topology = new Topology();
        // Bytes in, decoded by the validator: a deserializer that throws would stop the app on one bad record.
        // Earliest: a new application reads the frames of calls already in progress.
        topology.addSource(AutoOffsetReset.earliest(), SOURCE, new FrameTimestamps(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), config.audioInTopic());
        topology.addProcessor(VALIDATOR, () -> new FrameValidator(config), SOURCE);
        topology.addProcessor(ASSEMBLER, () -> new ChunkAssembler(config, inference.sampleRate(),
                inference.chunkSamples(), live.enabled()), VALIDATOR);
        HeardChunks heard = live.enabled() ? new HeardChunks() : null;
        // revised labels need each chunk's pieces for the final pass; without them, no cost
        ChunkInference diarizer = config.revised() ? inference.keepingFinalPieces() : inference;
        topology.addProcessor(DIARIZER, () -> new ChunkDiarizationProcessor(diarizer,
                identification(inference, identification), heard), ASSEMBLER);
        if (live.enabled()) {
            topology.addProcessor(LIVE, () -> new LiveLabeler(inference, live.hop(),
                    identification(inference, identification), heard), ASSEMBLER, DIARIZER);
            topology.addSink(LIVE_SINK, live.topic(), new StringSerializer(), new SpeakerSegmentSerde(), LIVE);
        }

        topology.addStateStore(Stores.keyValueStoreBuilder(stores.apply(AUDIO_BUFFER_STORE),
                        Serdes.Bytes(), serde(BufferedFrame.class))
                .withLoggingEnabled(Map.of()), ASSEMBLER);
        // Written on every frame; the cache turns that into one changelog record per call per commit.
        topology.addStateStore(Stores.keyValueStoreBuilder(stores.apply(CALL_STATE_STORE),
                        Serdes.String(), serde(CallAudioState.class))
                .withLoggingEnabled(Map.of())
                .withCachingEnabled(), ASSEMBLER);
        String[] readers = live.enabled() ? new String[]{DIARIZER, LIVE} : new String[]{DIARIZER};
        topology.addStateStore(Stores.keyValueStoreBuilder(stores.apply(SPEAKER_PROMPTS_STORE),
                        Serdes.String(), serde(CallDiarizationState.class))
                .withLoggingEnabled(Map.of()), readers);
        addCallSpeakers(topology, identification, live, stores);
        if (config.revised()) {
            topology.addStateStore(Stores.keyValueStoreBuilder(stores.apply(CALL_ARCHIVE_STORE),
                            Serdes.Bytes(), serde(ChunkArchive.class))
                    .withLoggingEnabled(Map.of()), DIARIZER);
            topology.addSink(REVISED_SINK, config.segmentsRevisedTopic(), new StringSerializer(),
                    new SpeakerSegmentSerde(), DIARIZER);
        }

        topology.addSink(SEGMENTS_SINK, config.segmentsOutTopic(), new StringSerializer(), new SpeakerSegmentSerde(),
                DIARIZER);
        topology.addSink(DEAD_LETTER_SINK, config.deadLetterTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), VALIDATOR, ASSEMBLER);
        return topology;
    }

    /** The call-speakers store (hints, identities) and, with a speakers topic, the global voiceprints store. */
    private static void addCallSpeakers(Topology topology, IdentificationConfig identification, LiveConfig live,
                                        Function<String, KeyValueBytesStoreSupplier> stores) {
        String[] users = live.enabled() ? new String[]{VALIDATOR, ASSEMBLER, DIARIZER, LIVE}
                : new String[]{VALIDATOR, ASSEMBLER, DIARIZER};
        topology.addStateStore(Stores.keyValueStoreBuilder(stores.apply(CALL_SPEAKERS_STORE),
                        Serdes.String(), serde(CallSpeakersState.class))
                .withLoggingEnabled(Map.of()), users);
        if (identification.speakersTopic() != null) {
            // Global: every instance holds every print; the topic is the changelog, so no logging.
            topology.addGlobalStore(Stores.keyValueStoreBuilder(stores.apply(VOICEPRINTS_STORE),
                                    Serdes.String(), serde(Voiceprint.class))
                            .withLoggingDisabled(),
                    VOICEPRINTS_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(),
                    identification.speakersTopic(), VOICEPRINTS_UPDATER, VoiceprintStoreUpdater::new);
        }
    }

    private static CallIdentification identification(ChunkInference inference, IdentificationConfig identification) {
        return new CallIdentification(new SpeakerIdentifier(inference.identifySpec()
                .withThreshold(identification.threshold())), inference.modelId());
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> SingleObjectSerde<T> serde(Class<T> type) {
        return new SingleObjectSerde<>(SingleObjectCodec.forReleased(type));
    }
}
