package io.streamdrz.topology;

import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.FinalLabels;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.speakers.SpeakerIdentifier;
import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.state.CallDiarizationState;

import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs each chunk through the engine with the call's speaker prompts, and emits the
 * segments that are final.
 *
 * <p><b>When a segment is emitted.</b> When the engine says it is final
 * ({@link ChunkInference#isFinal}: a segment's merge rule and its final rule live together
 * in {@link io.streamdrz.recipe.SegmentStitcher}): a segment that may still grow with
 * the next chunk is kept open in the {@value DiarizationTopology#SPEAKER_PROMPTS_STORE}
 * store; every other segment is emitted once, right after the chunk that made it final. At the end of the call
 * every open segment is emitted. So each segment appears on segments-out exactly once,
 * with its final extent, at most one chunk after its audio. Segments are emitted in start
 * order per chunk; a segment held open can start before segments emitted earlier.
 *
 * <p>After a call's last segment, one record with the call id as key, a null value and
 * the header {@value DiarizationTopology#CALL_END_HEADER} (the {@link CallEnd}) says that
 * the call is finished and nothing more will come for it. Then the call's prompts are
 * deleted.
 *
 * <p><b>Revised labels</b> (with a revised topic, {@link TopologyConfig#revised()}): each
 * chunk's final segments and its pieces for the final pass go to the {@link CallArchive};
 * at the call's end the engine decides the whole call's labels again from them
 * ({@link ChunkInference#finalLabels}), and every segment of the call goes to the revised
 * topic once more, status REVISED, then the same end-of-call record. If that pass fails,
 * the segments go there as they were, so a consumer always gets the whole call.
 *
 * <p>What is stored of a call's speakers is bounded by {@link PromptBudget}, so a call with
 * many speakers cannot grow its record past the broker's limits.
 *
 * <p>If the engine fails on a chunk, the failure is logged and counted, the chunk yields
 * no segments, and the call goes on with its next chunk in the right place.
 */
final class ChunkDiarizationProcessor implements Processor<String, AudioChunk, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(ChunkDiarizationProcessor.class);

    private final ChunkInference inference;
    private final CallIdentification identification;
    private final boolean live;
    private final HeardChunks heard;
    private ProcessorContext<String, Object> context;
    private TopologyMetrics metrics;
    private KeyValueStore<String, CallDiarizationState> store;
    private CallArchive archive;
    /**
     * Segments emitted per call by this task, for the end-of-call log line only. In memory:
     * a call taken over from another instance mid-call counts from the takeover on, and
     * {@link #takenOver} makes the line say so.
     */
    private final Map<String, Integer> emittedByCall = new HashMap<>();
    private final Set<String> takenOver = new HashSet<>();

    ChunkDiarizationProcessor(ChunkInference inference) {
        this(inference, new CallIdentification(new SpeakerIdentifier(inference.identifySpec()), inference.modelId()));
    }

    ChunkDiarizationProcessor(ChunkInference inference, CallIdentification identification) {
        this(inference, identification, null);
    }

    /**
     * @param heard with live labels on: the chunks' speech the {@link LiveLabeler} heard, which
     *              it is also told about every final chunk; null with live labels off
     */
    ChunkDiarizationProcessor(ChunkInference inference, CallIdentification identification, HeardChunks heard) {
        this.inference = inference;
        this.identification = identification;
        this.heard = heard;
        this.live = heard != null;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.metrics = TopologyMetrics.of(context);
        this.store = context.getStateStore(DiarizationTopology.SPEAKER_PROMPTS_STORE);
        this.archive = CallArchive.of(context);
        this.identification.init(context);
    }

    /**
     * Diarizes the chunk; if that fails for any reason but Kafka Streams' own, the call is
     * ended here ({@link #abandon}) and {@link CallFailedException} tells the assembler to
     * drop the call's audio too: the same state would fail again after every restart.
     */
    @Override
    public void process(Record<String, AudioChunk> record) {
        try {
            diarize(record);
        } catch (RuntimeException e) {
            if (e instanceof StreamsException || e instanceof CallFailedException) {
                throw e;
            }
            abandon(record.key(), record.timestamp(), e);
            throw new CallFailedException(record.key(), e);
        }
    }

    /** Drops the call's state and ends it with {@link CallEnd#INTERNAL_ERROR}. */
    private void abandon(String callId, long timestamp, RuntimeException e) {
        log.error("call {}: diarization failed; ending the call ({})", callId, CallEnd.INTERNAL_ERROR, e);
        try {
            store.delete(callId);
        } catch (RuntimeException deleteFailed) {
            if (deleteFailed instanceof StreamsException) {
                throw deleteFailed;
            }
            log.warn("call {}: its speaker state could not be deleted", callId, deleteFailed);
        }
        identification.end(callId);
        toLive(callId, new FinalChunk(new CallState(), 0, CallEnd.INTERNAL_ERROR), timestamp);
        forwardEnd(callId, timestamp, CallEnd.INTERNAL_ERROR);
        if (archive.connected()) {
            archive.drop(callId);
            context.forward(CallEnd.record(callId, CallEnd.INTERNAL_ERROR, timestamp), DiarizationTopology.REVISED_SINK);
        }
    }

    private void toLive(String callId, FinalChunk chunk, long timestamp) {
        if (live) {
            context.forward(new Record<>(callId, chunk, timestamp), DiarizationTopology.LIVE);
        }
    }

    private void forwardEnd(String callId, long timestamp, CallEnd reason) {
        context.forward(CallEnd.record(callId, reason, timestamp), DiarizationTopology.SEGMENTS_SINK);
    }

    private void diarize(Record<String, AudioChunk> record) {
        AudioChunk chunk = record.value();
        String callId = record.key();
        CallDiarizationState stored = store.get(callId);
        CallState before = stored == null ? new CallState() : CallStateCodec.decode(stored);
        CallState after = before;
        if (chunk.samples().length > 0) {
            if (chunk.index() != before.chunkIndex()) {
                log.warn("call {}: chunk {} arrived where the engine expects chunk {}", callId, chunk.index(),
                        before.chunkIndex());
            }
            try {
                after = inference.diarize(before, chunk.samples(), identification.speakerCap(callId),
                        live ? heard.take(callId, chunk.index()) : null);
            } catch (RuntimeException e) {
                metrics.inferenceFailure();
                log.error("call {}: inference failed on chunk {}; the chunk yields no segments", callId,
                        before.chunkIndex(), e);
                after = new CallState(before.prompts(), before.labelCount(), before.chunkIndex() + 1,
                        before.segments(), before.bank());
            }
        }

        List<CallSegment> emit = new ArrayList<>();
        List<CallSegment> keep = new ArrayList<>();
        for (CallSegment segment : after.segments()) {
            (chunk.last() || inference.isFinal(segment, after) ? emit : keep).add(segment);
        }
        emit.sort(Comparator.comparingDouble(CallSegment::start).thenComparingInt(CallSegment::label));
        // speakers by name: after the chunk, which labels are enrolled speakers
        Map<Integer, Identity> names = after == before ? identification.identities(callId)
                : identification.identify(callId, after.prompts());
        for (CallSegment segment : emit) {
            context.forward(new Record<>(callId, named(toSegment(callId, segment), names.get(segment.label())),
                    record.timestamp()), DiarizationTopology.SEGMENTS_SINK);
        }
        double chunkStart = before.chunkIndex() * (inference.chunkSamples() / (double) inference.sampleRate());
        toLive(callId, new FinalChunk(after, chunkStart + chunk.samples().length / (double) inference.sampleRate(),
                chunk.last() ? chunk.endReason() : null), record.timestamp());
        countEmitted(callId, stored == null, emit.size());

        if (chunk.last()) {
            String revised = archive.connected()
                    ? revise(callId, emit, after.finalPieces(), names, record.timestamp(), chunk.endReason()) : "";
            logEnd(callId, chunk, after.chunkIndex(), revised);
            store.delete(callId);
            identification.end(callId);
            forwardEnd(callId, record.timestamp(), chunk.endReason());
        } else {
            archive.put(callId, before.chunkIndex(), emit, after.finalPieces());
            store.put(callId, CallStateCodec.encode(
                    new CallState(after.prompts(), after.labelCount(), after.chunkIndex(), keep, after.bank())));
        }
    }

    /**
     * The call's labels decided again over the whole call, from its archive and its last
     * chunk: every segment to the revised topic, then the end-of-call record there.
     *
     * @return for the end-of-call log line: how many segments went there, and the pass's time
     */
    private String revise(String callId, List<CallSegment> lastEmitted, List<FinalPiece> lastPieces,
                          Map<Integer, Identity> names, long timestamp, CallEnd reason) {
        long started = System.nanoTime();
        CallArchive.Call call = archive.take(callId);
        List<CallSegment> segments = new ArrayList<>(call.segments());
        segments.addAll(lastEmitted);
        List<FinalPiece> pieces = new ArrayList<>(call.pieces());
        pieces.addAll(lastPieces);
        FinalLabels.Relabelled revised;
        try {
            revised = inference.finalLabels(segments, pieces);
        } catch (RuntimeException e) {
            if (e instanceof StreamsException) {
                throw e;
            }
            metrics.inferenceFailure();
            log.error("call {}: its final pass failed; its segments are revised as they were", callId, e);
            revised = FinalLabels.unchanged(segments);
        }
        List<CallSegment> ordered = new ArrayList<>(revised.segments());
        ordered.sort(Comparator.comparingDouble(CallSegment::start).thenComparingDouble(CallSegment::end));
        for (CallSegment s : ordered) {
            SpeakerSegment out = toSegment(callId, s);
            out.setStatus(SegmentStatus.REVISED);
            Integer live = revised.liveLabelOf().get(s.label());
            context.forward(new Record<>(callId, named(out, live == null ? null : names.get(live)), timestamp),
                    DiarizationTopology.REVISED_SINK);
        }
        context.forward(CallEnd.record(callId, reason, timestamp), DiarizationTopology.REVISED_SINK);
        metrics.revisedCall();
        return String.format(Locale.ROOT, "; %d revised from %d pieces in %d ms", ordered.size(), pieces.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void countEmitted(String callId, boolean callStartsHere, int segments) {
        if (!callStartsHere && !emittedByCall.containsKey(callId)) {
            takenOver.add(callId);
        }
        emittedByCall.merge(callId, segments, Integer::sum);
    }

    private void logEnd(String callId, AudioChunk chunk, int chunks, String revised) {
        int total = emittedByCall.getOrDefault(callId, 0);
        emittedByCall.remove(callId);
        log.info("call {} ended ({}): {} segments from {} chunk(s){}{}", callId, chunk.endReason(), total, chunks,
                takenOver.remove(callId) ? " (counted since this instance took the call over)" : "", revised);
    }

    private SpeakerSegment toSegment(String callId, CallSegment s) {
        long startMs = Math.round(s.start() * 1000);
        long endMs = Math.max(startMs, Math.round(s.end() * 1000));
        return SpeakerSegment.newBuilder()
                .setCallId(callId)
                .setSpeaker(s.speaker())
                .setStartMs(startMs)
                .setEndMs(endMs)
                .setConfidence((float) s.confidence())
                .setChunkIndex(s.chunkIndex())
                .setModelId(inference.modelId())
                .build();
    }

    /** The segment with its enrolled speaker's id and name, if its label was identified. */
    private static SpeakerSegment named(SpeakerSegment segment, Identity who) {
        if (who != null) {
            segment.setSpeakerId(who.speakerId());
            segment.setSpeakerName(who.name());
        }
        return segment;
    }
}
