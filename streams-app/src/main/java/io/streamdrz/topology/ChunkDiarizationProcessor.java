package io.streamdrz.topology;

import io.streamdrz.inference.CallSegment;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.speakers.SpeakerIdentifier;
import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.OpenSegment;
import io.streamdrz.state.StoredPrompt;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs each chunk through the engine with the call's speaker prompts, and emits the
 * segments that are final.
 *
 * <p><b>When a segment is emitted.</b> The engine merges a new segment into the same
 * speaker's latest one when the gap between them is at most
 * {@link ChunkInference#joinGapSeconds()}, so a segment that ends that close to the end of
 * the latest chunk may still grow with the next chunk. Such a segment is kept open in the
 * {@value DiarizationTopology#SPEAKER_PROMPTS_STORE} store; every other segment is final
 * and is emitted once, right after the chunk that made it final. At the end of the call
 * every open segment is emitted. So each segment appears on segments-out exactly once,
 * with its final extent, at most one chunk after its audio. Segments are emitted in start
 * order per chunk; a segment held open can start before segments emitted earlier.
 *
 * <p>After a call's last segment, one record with the call id as key, a null value and
 * the header {@value DiarizationTopology#CALL_END_HEADER} (the {@link CallEnd}) says that
 * the call is finished and nothing more will come for it. Then the call's prompts are
 * deleted.
 *
 * <p>What is stored of a call's speakers is bounded by {@link PromptBudget}, so a call with
 * many speakers cannot grow its record past the broker's limits.
 *
 * <p>If the engine fails on a chunk, the failure is logged and counted, the chunk yields
 * no segments, and the call goes on with its next chunk in the right place.
 */
final class ChunkDiarizationProcessor implements Processor<String, AudioChunk, String, SpeakerSegment> {

    private static final Logger log = LoggerFactory.getLogger(ChunkDiarizationProcessor.class);
    /** Slack for rounding in the engine's time arithmetic when deciding that a segment is final. */
    private static final double EPSILON_SECONDS = 1e-6;

    private final ChunkInference inference;
    private final CallIdentification identification;
    private ProcessorContext<String, SpeakerSegment> context;
    private TopologyMetrics metrics;
    private KeyValueStore<String, CallDiarizationState> store;
    /**
     * Segments emitted per call by this task, for the end-of-call log line only. In memory:
     * a call taken over from another instance mid-call counts from the takeover on, and
     * {@link #takenOver} makes the line say so.
     */
    private final Map<String, Integer> emittedByCall = new HashMap<>();
    private final Set<String> takenOver = new HashSet<>();

    ChunkDiarizationProcessor(ChunkInference inference) {
        this(inference, new CallIdentification(new SpeakerIdentifier(), inference.modelId()));
    }

    ChunkDiarizationProcessor(ChunkInference inference, CallIdentification identification) {
        this.inference = inference;
        this.identification = identification;
    }

    @Override
    public void init(ProcessorContext<String, SpeakerSegment> context) {
        this.context = context;
        this.metrics = TopologyMetrics.of(context);
        this.store = context.getStateStore(DiarizationTopology.SPEAKER_PROMPTS_STORE);
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
        forwardEnd(callId, timestamp, CallEnd.INTERNAL_ERROR);
    }

    private void forwardEnd(String callId, long timestamp, CallEnd reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DiarizationTopology.CALL_END_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<String, SpeakerSegment>(callId, null, timestamp, headers));
    }

    private void diarize(Record<String, AudioChunk> record) {
        AudioChunk chunk = record.value();
        String callId = record.key();
        CallDiarizationState stored = store.get(callId);
        List<OpenSegment> open = stored == null ? List.of() : stored.getOpen();
        ChunkInference.State before = stored == null ? ChunkInference.State.initial() : toState(stored);

        List<OpenSegment> segments = new ArrayList<>(open);
        ChunkInference.State after = before;
        double chunkEnd = before.chunkIndex() * seconds(inference.chunkSamples());
        if (chunk.samples().length > 0) {
            if (chunk.index() != before.chunkIndex()) {
                log.warn("call {}: chunk {} arrived where the engine expects chunk {}", callId, chunk.index(),
                        before.chunkIndex());
            }
            chunkEnd += seconds(chunk.samples().length);
            try {
                after = inference.diarize(before, chunk.samples(), identification.speakerCap(callId));
                segments = withChunkIndex(open, after.segments(), before.chunkIndex());
            } catch (RuntimeException e) {
                metrics.inferenceFailure();
                log.error("call {}: inference failed on chunk {}; the chunk yields no segments", callId,
                        before.chunkIndex(), e);
                after = new ChunkInference.State(before.chunkIndex() + 1, before.labels(), before.prompts(),
                        before.segments());
            }
        }

        List<OpenSegment> emit = new ArrayList<>();
        List<OpenSegment> keep = new ArrayList<>();
        double finalBefore = chunkEnd - inference.joinGapSeconds() - EPSILON_SECONDS;
        for (OpenSegment segment : segments) {
            (chunk.last() || segment.getEndSeconds() < finalBefore ? emit : keep).add(segment);
        }
        emit.sort(Comparator.comparingDouble(OpenSegment::getStartSeconds).thenComparingInt(OpenSegment::getLabel));
        // speakers by name: after the chunk, which labels are enrolled speakers
        Map<Integer, Identity> names = after == before ? identification.identities(callId)
                : identification.identify(callId, after.prompts());
        for (OpenSegment segment : emit) {
            context.forward(new Record<>(callId, named(toSegment(callId, segment), names.get(segment.getLabel())), record.timestamp()));
        }
        countEmitted(callId, stored == null, emit.size());

        if (chunk.last()) {
            logEnd(callId, chunk, after.chunkIndex());
            store.delete(callId);
            identification.end(callId);
            forwardEnd(callId, record.timestamp(), chunk.endReason());
        } else {
            store.put(callId, toStored(after, keep));
        }
    }

    private void countEmitted(String callId, boolean callStartsHere, int segments) {
        if (!callStartsHere && !emittedByCall.containsKey(callId)) {
            takenOver.add(callId);
        }
        emittedByCall.merge(callId, segments, Integer::sum);
    }

    private void logEnd(String callId, AudioChunk chunk, int chunks) {
        int total = emittedByCall.getOrDefault(callId, 0);
        emittedByCall.remove(callId);
        log.info("call {} ended ({}): {} segments from {} chunk(s){}", callId, chunk.endReason(), total, chunks,
                takenOver.remove(callId) ? " (counted since this instance took the call over)" : "");
    }

    /**
     * The engine's segments with the chunk that produced or last changed each: an open
     * segment the engine returns unchanged keeps its chunk, anything else is this chunk's.
     */
    private static List<OpenSegment> withChunkIndex(List<OpenSegment> open, List<ChunkInference.Segment> segments,
                                                    int chunkIndex) {
        List<OpenSegment> out = new ArrayList<>(segments.size());
        for (ChunkInference.Segment s : segments) {
            int index = chunkIndex;
            for (OpenSegment o : open) {
                if (o.getLabel() == s.label() && o.getStartSeconds() == s.start() && o.getEndSeconds() == s.end()) {
                    index = o.getChunkIndex();
                    break;
                }
            }
            out.add(new OpenSegment(s.start(), s.end(), s.label(), (float) s.confidence(), index));
        }
        return out;
    }

    private SpeakerSegment toSegment(String callId, OpenSegment s) {
        long startMs = Math.round(s.getStartSeconds() * 1000);
        long endMs = Math.max(startMs, Math.round(s.getEndSeconds() * 1000));
        return SpeakerSegment.newBuilder()
                .setCallId(callId)
                .setSpeaker(CallSegment.speakerName(s.getLabel()))
                .setStartMs(startMs)
                .setEndMs(endMs)
                .setConfidence(s.getConfidence())
                .setChunkIndex(s.getChunkIndex())
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

    private double seconds(int samples) {
        return samples / (double) inference.sampleRate();
    }

    private static ChunkInference.State toState(CallDiarizationState stored) {
        List<ChunkInference.Prompt> prompts = new ArrayList<>();
        for (StoredPrompt p : stored.getPrompts()) {
            prompts.add(new ChunkInference.Prompt(p.getLabel(), FramePayloads.fromBytes(p.getSamples()),
                    p.getCleanSeconds(), p.getLastChunk(), voiceFromBytes(p.getVoice()), p.getVoiceFrames()));
        }
        List<ChunkInference.Segment> segments = new ArrayList<>();
        for (OpenSegment s : stored.getOpen()) {
            segments.add(new ChunkInference.Segment(s.getStartSeconds(), s.getEndSeconds(), s.getLabel(), s.getConfidence()));
        }
        return new ChunkInference.State(stored.getChunkIndex(), stored.getLabels(), prompts, segments);
    }

    private static CallDiarizationState toStored(ChunkInference.State state, List<OpenSegment> open) {
        List<StoredPrompt> prompts = new ArrayList<>();
        for (ChunkInference.Prompt p : PromptBudget.bound(state.prompts())) {
            prompts.add(new StoredPrompt(p.label(), FramePayloads.toBytes(p.samples()), p.cleanSeconds(), p.lastChunk(),
                    voiceToBytes(p.voice()), p.voiceFrames()));
        }
        return new CallDiarizationState(state.chunkIndex(), state.labels(), prompts, open);
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
}
