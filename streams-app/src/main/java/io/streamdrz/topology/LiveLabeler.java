package io.streamdrz.topology;

import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.LiveWindow;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.state.CallDiarizationState;

import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * Live labels: every {@code hop} of new audio, a call's newest window (the model's chunk
 * length ending at its latest audio) is diarized with the prompts its last final chunk
 * left ({@link ChunkInference#provisional}), and the labels it gives the audio no earlier
 * window covered go to the live topic as PROVISIONAL segments. When a final chunk comes,
 * the audio since the last window gets the final run's own labels, so the provisional
 * stream covers the whole call. Windows never change the call state: final segments are
 * the same with live labels on or off. After a call's last segment, the same end-of-call
 * record as on segments-out.
 *
 * <p>Windows run on the engine's live batcher while the stream thread goes on; their
 * labels are forwarded by the next frame of the call or by a wall-clock punctuator, so
 * they join the task's current transaction. What each call's live labels need is held
 * in memory ({@link LiveCall}); after a restart the audio is replayed from the last commit
 * and windows start again from there.
 */
final class LiveLabeler implements Processor<String, Object, String, SpeakerSegment> {

    private static final Logger log = LoggerFactory.getLogger(LiveLabeler.class);
    /** How often finished windows are looked for when no frame arrives. */
    static final Duration POLL = Duration.ofMillis(20);

    private final ChunkInference inference;
    private final Duration hop;
    private final CallIdentification identification;
    private final HeardChunks heardChunks;
    private final Map<String, LiveCall> calls = new HashMap<>();
    private ProcessorContext<String, SpeakerSegment> context;
    private KeyValueStore<String, CallDiarizationState> states;

    /** @param heardChunks where the speech of each chunk the VAD stream heard whole goes for its final run */
    LiveLabeler(ChunkInference inference, Duration hop, CallIdentification identification, HeardChunks heardChunks) {
        this.inference = inference;
        this.hop = hop;
        this.identification = identification;
        this.heardChunks = heardChunks;
    }

    @Override
    public void init(ProcessorContext<String, SpeakerSegment> context) {
        this.context = context;
        this.states = context.getStateStore(DiarizationTopology.SPEAKER_PROMPTS_STORE);
        identification.init(context);
        context.schedule(POLL, PunctuationType.WALL_CLOCK_TIME, now -> drainAll());
    }

    /**
     * Live labels are a view: if they fail on a call for any reason but Kafka Streams' own,
     * the call's live labels stop (until its next final chunk) and its final segments go on.
     */
    @Override
    public void process(Record<String, Object> record) {
        guarded(record.key(), () -> {
            if (record.value() instanceof LiveAudio audio) {
                heard(record.key(), audio, record.timestamp());
            } else if (record.value() instanceof FinalChunk chunk) {
                finalChunk(record.key(), chunk, record.timestamp());
            }
        });
    }

    private void guarded(String callId, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            if (e instanceof StreamsException) {
                throw e;
            }
            log.warn("call {}: live labels failed; they start again from its next audio", callId, e);
            calls.remove(callId);
        }
    }

    @Override
    public void close() {
        calls.clear();
    }

    private void heard(String callId, LiveAudio audio, long timestamp) {
        LiveCall call = calls.get(callId);
        if (call == null || call.rate != audio.rate()) {
            call = new LiveCall(audio.rate(), (int) chunkEnd(0, audio.rate()), inference.liveSpeech(),
                    audio.rate() == inference.sampleRate() ? null
                            : new ChunkResampler(audio.rate(), inference.sampleRate(), inference.chunkSamples()));
            call.chunk = stored(callId).chunkIndex();
            call.labelledTo = Math.max(audio.position(), chunkStart(call.chunk, audio.rate()));
            calls.put(callId, call);
        }
        call.audio.write(audio.position(), audio.samples());
        call.timestamp = timestamp;
        resample(call, audio.position(), audio.samples());
        handOffChunk(callId, call);
        drain(callId, call);
        startWindow(callId, call);
    }

    /** A call not at the model's rate: every frame as it comes into its ring at the model's rate. */
    private static void resample(LiveCall call, long position, float[] samples) {
        if (call.resampler != null) {
            for (ChunkResampler.Piece p : call.resampler.write(position, samples)) {
                call.modelAudio.write(p.start(), p.samples());
            }
        }
    }

    /**
     * The call's VAD stream hears the model-rate audio it has not heard yet, in one go (a
     * window's worth at a time, not frame by frame); what the ring no longer holds is lost
     * to it, and it starts again after the gap.
     */
    private static void catchUp(LiveCall call) {
        if (call.speech == null) {
            return;
        }
        LiveAudioRing ring = call.resampler == null ? call.audio : call.modelAudio;
        long from = Math.max(call.speech.heardTo(), ring.start());
        if (from < ring.end()) {
            call.speech.hear(ring.read(from, ring.end()), from);
        }
    }

    /**
     * At a chunk's last audio, before its final run: if the VAD stream heard all of the
     * chunk from its start, and (for a call at another rate) at exactly the samples the
     * assembler's conversion gives, the final run gets its speech ({@link HeardChunks})
     * instead of running the VAD again.
     */
    private void handOffChunk(String callId, LiveCall call) {
        if (call.speech == null || call.audio.end() < chunkEnd(call.chunk, call.rate)) {
            return;
        }
        catchUp(call);
        List<SpeechRegion> speech = call.speech.wholeChunk(call.chunk);
        if (speech != null && (call.resampler == null || call.resampler.exact(call.chunk))) {
            heardChunks.put(callId, call.chunk, speech);
        }
    }

    /** Starts the call's next window when a hop of new audio has come and no window is in flight. */
    private void startWindow(String callId, LiveCall call) {
        long end = call.audio.end();
        if (call.inFlight != null || end >= chunkEnd(call.chunk, call.rate)
                || end - call.labelledTo < Math.round(hop.toMillis() * call.rate / 1000.0)) {
            return;     // at a chunk's end the final run labels the newest audio itself
        }
        long from = Math.max(0, end - windowLength(call.rate));
        long modelFrom = Math.round(from * (double) inference.sampleRate() / call.rate);
        float[] audio = atModelRate(call, from, end, modelFrom);
        catchUp(call);
        List<SpeechRegion> speech = call.speech == null ? null
                : call.speech.regions(modelFrom, modelFrom + audio.length);
        double newest = call.seconds(end - call.labelledTo);
        if (speech != null && !heardIn(speech, call.seconds(end - from) - newest)) {
            call.labelledTo = end;      // nobody speaks in the new audio: the gated run could label nothing there
            return;
        }
        CallState state = stored(callId);
        ChunkInference.Window window = new ChunkInference.Window(state, audio, call.seconds(from), newest, speech,
                identification.speakerCap(callId));
        call.revision++;
        call.inFlight = new LiveCall.Pending(call.revision, call.timestamp, finalThroughMs(state),
                inference.provisional(window));
        call.labelledTo = end;
        drain(callId, call);
    }

    /** Whether any of a window's speech lies after {@code since} (seconds from the window's start). */
    private static boolean heardIn(List<SpeechRegion> speech, double since) {
        for (SpeechRegion r : speech) {
            if (r.end() > since) {
                return true;
            }
        }
        return false;
    }

    private void drainAll() {
        for (Map.Entry<String, LiveCall> e : new ArrayList<>(calls.entrySet())) {
            guarded(e.getKey(), () -> {
                drain(e.getKey(), e.getValue());
                startWindow(e.getKey(), e.getValue());
            });
        }
    }

    /** Forwards the call's window once its labels are there. */
    private void drain(String callId, LiveCall call) {
        LiveCall.Pending p = call.inFlight;
        if (p == null || !p.labels().isDone()) {
            return;
        }
        call.inFlight = null;
        try {
            emit(callId, p.labels().join(), p.revision(), p.finalThroughMs(), p.timestamp());
        } catch (CompletionException e) {
            log.warn("call {}: live window {} failed; its audio gets no provisional labels", callId, p.revision(),
                    e.getCause());
        }
    }

    /** The newest audio gets the final run's labels; an ended call is forgotten. */
    private void finalChunk(String callId, FinalChunk chunk, long timestamp) {
        LiveCall call = calls.get(callId);
        CallState after = chunk.after();
        double chunkSeconds = inference.chunkSamples() / (double) inference.sampleRate();
        double from = call == null ? Math.max(0, after.chunkIndex() - 1) * chunkSeconds : call.seconds(call.labelledTo);
        if (call != null) {
            drain(callId, call);
        }
        List<CallSegment> labels = LiveWindow.clip(after.segments(), from, chunk.endSeconds(), 0,
                Math.max(0, after.chunkIndex() - 1));
        int revision = call == null ? 1 : ++call.revision;
        emit(callId, labels, revision, chunk.last() ? toMs(chunk.endSeconds()) : finalThroughMs(after), timestamp);
        if (chunk.last()) {
            calls.remove(callId);
            heardChunks.forget(callId);
            context.forward(CallEnd.record(callId, chunk.end(), timestamp));
        } else if (call != null) {
            call.chunk = after.chunkIndex();
            call.labelledTo = Math.max(call.labelledTo, chunkStart(call.chunk, call.rate));
            startWindow(callId, call);
        }
    }

    private void emit(String callId, List<CallSegment> labels, int revision, long finalThroughMs, long timestamp) {
        Map<Integer, Identity> names = identification.identities(callId);
        for (CallSegment s : labels) {
            long startMs = toMs(s.start());
            SpeakerSegment segment = SpeakerSegment.newBuilder()
                    .setCallId(callId)
                    .setSpeaker(s.speaker())
                    .setStartMs(startMs)
                    .setEndMs(Math.max(startMs, toMs(s.end())))
                    .setConfidence((float) s.confidence())
                    .setChunkIndex(s.chunkIndex())
                    .setModelId(inference.modelId())
                    .setStatus(SegmentStatus.PROVISIONAL)
                    .setRevision(revision)
                    .setFinalThroughMs(finalThroughMs)
                    .build();
            Identity who = names.get(s.label());
            if (who != null) {
                segment.setSpeakerId(who.speakerId());
                segment.setSpeakerName(who.name());
            }
            context.forward(new Record<>(callId, segment, timestamp));
        }
    }

    /**
     * Call time before which segments-out holds every final segment of the call: the
     * start of its chunk to come, or of an earlier segment still held open.
     */
    private long finalThroughMs(CallState state) {
        double through = state.chunkIndex() * inference.chunkSamples() / (double) inference.sampleRate();
        for (CallSegment s : state.segments()) {
            if (!inference.isFinal(s, state)) {
                through = Math.min(through, s.start());
            }
        }
        return toMs(through);
    }

    private CallState stored(String callId) {
        CallDiarizationState s = states.get(callId);
        return s == null ? new CallState() : CallStateCodec.decode(s);
    }

    /**
     * The call's samples {@code [from, to)} at the model's rate: as heard, or as the call's
     * chunk-by-chunk conversion gave them (zeros for the few newest samples still inside
     * the converter's filter).
     */
    private float[] atModelRate(LiveCall call, long from, long to, long modelFrom) {
        if (call.resampler == null) {
            return call.audio.read(from, to);
        }
        int length = (int) Math.round((to - from) * (double) inference.sampleRate() / call.rate);
        return call.modelAudio.read(modelFrom, modelFrom + length);
    }
    /** The call's sample (at {@code rate}) where chunk {@code k} starts: the assembler's own rule. */
    private long chunkStart(int k, int rate) {
        long model = inference.sampleRate();
        return (k * (long) inference.chunkSamples() * rate + model / 2) / model;
    }

    private long chunkEnd(int k, int rate) {
        return chunkStart(k + 1, rate);
    }

    /** Samples (at {@code rate}) of the newest audio a window looks at. */
    private long windowLength(int rate) {
        return (inference.windowSamples() * (long) rate) / inference.sampleRate();
    }

    private static long toMs(double seconds) {
        return Math.round(seconds * 1000);
    }
}
