package io.streamdrz.topology;

import io.streamdrz.state.BufferedFrame;
import io.streamdrz.state.CallAudioState;
import io.streamdrz.state.OriginalRecord;
import io.streamdrz.state.SequenceRange;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Puts each call's frames in order and cuts its audio into chunks of the model's
 * length, which it hands to the {@link ChunkDiarizationProcessor}. Frames as they really arrive:
 *
 * <ul>
 *   <li><b>Out of order.</b> A frame ahead of the next expected sequence number waits
 *       in the {@value DiarizationTopology#AUDIO_BUFFER_STORE} store. When more than
 *       {@code reorderWindow} frames wait, the missing frames before the first of them
 *       are declared lost. The call's first sequence number is the lowest among its
 *       first {@code reorderWindow + 1} frames (or fewer, if the call ends or idles first).</li>
 *   <li><b>Gaps.</b> Lost frames are replaced by silence, each as long as the call's
 *       latest frame, if the run of them lasts at most {@code gapFillMax}. A longer gap
 *       closes the call: the audio before it is finished as usual, and the frames after
 *       it are dead-lettered ({@link DeadLetterReason#GAP_TOO_LARGE}), as are all later ones
 *       ({@link DeadLetterReason#CALL_CLOSED}): time after an unknown gap cannot be placed.</li>
 *   <li><b>Sequence numbers</b> are any longs, but never wrap around: a frame numbered
 *       {@code Long.MAX_VALUE} is dead-lettered ({@link DeadLetterReason#SEQUENCE_OVERFLOW}),
 *       as nothing could follow it, and a wrapped frame after it is older than the call's
 *       first ({@link DeadLetterReason#LATE_FRAME}). A gap's length is computed with exact
 *       arithmetic: one too large to count closes the call like any gap beyond
 *       {@code gapFillMax}. Every loop over waiting frames moves at least one of them per
 *       turn, so its length is bounded by the frames waiting, never by a difference of
 *       sequence numbers.</li>
 *   <li><b>Duplicates</b> (a sequence number already in order or already waiting) are
 *       dropped and counted. A frame whose place was filled with silence is dead-lettered
 *       as {@link DeadLetterReason#LATE_FRAME}: its audio is lost, and that is reported.</li>
 *   <li><b>End of stream.</b> The end-of-stream frame finishes the call at once: missing
 *       frames before it are gaps, frames after it are dead-lettered, the last partial
 *       chunk goes to the diarizer, and the call's audio is deleted.</li>
 *   <li><b>Idle calls.</b> A wall-clock punctuator finishes calls that received no frame
 *       for {@code idleTimeout}, the same way.</li>
 *   <li><b>Limits.</b> A call may hold at most {@code bufferMax} of audio (its unfinished
 *       chunk and waiting frames; when a frame would exceed it, waiting frames are resolved
 *       as gaps first, and if it still does not fit it is dead-lettered), and may last at most
 *       {@code callMax} (the frame that would exceed it closes the call and is dead-lettered).</li>
 * </ul>
 *
 * <p>A finished call leaves a small marker (no audio) in the {@value DiarizationTopology#CALL_STATE_STORE}
 * store for {@code closedRetention}, so that its late frames are dead-lettered or dropped
 * as duplicates instead of starting a new call at time zero.
 *
 * <p>Audio is kept at the call's own sample rate and converted to the model's rate one
 * chunk at a time. Chunk {@code k} covers the call's samples from
 * {@code round(k * chunkSeconds * rate)} up to the next chunk's start, so chunk
 * boundaries never drift from the model's clock.
 */
final class ChunkAssembler implements Processor<String, DecodedFrame, Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(ChunkAssembler.class);
    /** Filled gaps remembered per call, to recognise frames that arrive after their place was filled. */
    static final int FILLED_RANGES_KEPT = 64;

    private final TopologyConfig config;
    private final int modelRate;
    private final int chunkSamples;
    private final boolean live;

    private ProcessorContext<Object, Object> context;
    private TopologyMetrics metrics;
    private KeyValueStore<Bytes, BufferedFrame> buffer;
    private KeyValueStore<String, CallAudioState> calls;
    private CallSpeakersStore speakers;
    // Derived, not persisted: rebuilt from the call-state store whenever the task (re)starts,
    // so a restarted or migrated task gives every open call a full idle timeout.
    private final Map<String, Long> lastFrameAt = new HashMap<>();
    private final Map<String, Long> closedAt = new HashMap<>();

    ChunkAssembler(TopologyConfig config, int modelRate, int chunkSamples) {
        this(config, modelRate, chunkSamples, false);
    }

    /** @param live whether to pass the audio in order to the {@link LiveLabeler} too */
    ChunkAssembler(TopologyConfig config, int modelRate, int chunkSamples, boolean live) {
        this.config = config;
        this.modelRate = modelRate;
        this.chunkSamples = chunkSamples;
        this.live = live;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.metrics = TopologyMetrics.of(context);
        this.buffer = context.getStateStore(DiarizationTopology.AUDIO_BUFFER_STORE);
        this.calls = context.getStateStore(DiarizationTopology.CALL_STATE_STORE);
        this.speakers = CallSpeakersStore.of(context);
        long now = context.currentSystemTimeMs();
        try (KeyValueIterator<String, CallAudioState> all = calls.all()) {
            while (all.hasNext()) {
                KeyValue<String, CallAudioState> entry = all.next();
                if (entry.value.getClosed()) {
                    closedAt.put(entry.key, entry.value.getClosedAtMs());
                } else {
                    lastFrameAt.put(entry.key, now);
                }
            }
        }
        context.schedule(config.idleCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        metrics.activeCalls(lastFrameAt.size());
    }

    @Override
    public void close() {
        // The task's calls move with it: this instance no longer holds them.
        if (metrics != null) {
            metrics.activeCalls(0);
        }
    }

    /**
     * Assembles the frame; if that fails for any reason but Kafka Streams' own, the call is
     * moved aside ({@link #moveAside}) instead of failing the stream thread, because the same
     * frame and state would fail again after every restart.
     */
    @Override
    public void process(Record<String, DecodedFrame> record) {
        try {
            assemble(record);
        } catch (RuntimeException e) {
            rethrowIfKafkas(e);
            moveAside(record.key(), record.value().original(), record.timestamp(), e);
        }
    }

    private void assemble(Record<String, DecodedFrame> record) {
        DecodedFrame frame = record.value();
        String callId = record.key();
        CallAudioState state = calls.get(callId);
        if (state != null && state.getClosed()) {
            afterClose(state, frame);
            return;
        }
        if (frame.sequence() == Long.MAX_VALUE) {
            // No frame could follow it: the next sequence number would wrap around.
            deadLetter(frame.original(), DeadLetterReason.SEQUENCE_OVERFLOW, "frame " + frame.sequence() + " of call "
                    + callId + " has the largest sequence number; sequence numbers must not wrap around");
            return;
        }
        if (state == null) {
            log.info("call {} started ({} Hz)", callId, frame.sampleRate());
            state = CallAudioState.newBuilder().setSampleRate(frame.sampleRate()).build();
        } else if (state.getSampleRate() != frame.sampleRate()) {
            deadLetter(frame.original(), DeadLetterReason.RATE_CHANGED, "call " + callId + " started at "
                    + state.getSampleRate() + " Hz; frame " + frame.sequence() + " is at " + frame.sampleRate() + " Hz");
            return;
        }
        lastFrameAt.put(callId, context.currentSystemTimeMs());
        Call call = new Call(callId, state, record.timestamp());
        call.offer(frame);
        call.save();
        metrics.activeCalls(lastFrameAt.size());
    }

    /** A frame for a call that is already finished: a duplicate, a late frame, or one too many. */
    private void afterClose(CallAudioState state, DecodedFrame frame) {
        // the validator kept this frame's call hints, if it had any, for a call that is over
        // and will not read them: without this, each such frame would leave an entry for good
        speakers.delete(frame.callId());
        Long last = state.getLastSequence();
        long seq = frame.sequence();
        if (last != null && seq <= last) {
            if (filled(state, seq) || (state.getFirstSequence() != null && seq < state.getFirstSequence())) {
                deadLetter(frame.original(), DeadLetterReason.LATE_FRAME, "frame " + seq + " of call "
                        + frame.callId() + " arrived after its place was filled with silence and the call finished");
            } else {
                metrics.duplicate();
            }
            return;
        }
        String reason = state.getCloseReason();
        DeadLetterReason why = CallEnd.END_OF_STREAM.name().equals(reason)
                ? DeadLetterReason.AFTER_END_OF_STREAM : DeadLetterReason.CALL_CLOSED;
        deadLetter(frame.original(), why, "call " + frame.callId() + " was finished (" + reason + ")"
                + (last == null ? "" : " after frame " + last) + "; frame " + seq + " came too late");
    }

    private void punctuate(long now) {
        for (String callId : new ArrayList<>(lastFrameAt.keySet())) {
            long idle = now - lastFrameAt.get(callId);
            if (idle < config.idleTimeout().toMillis()) {
                continue;
            }
            CallAudioState state;
            try {
                state = calls.get(callId);
            } catch (RuntimeException e) {
                rethrowIfKafkas(e);
                moveAside(callId, null, now, e);
                continue;
            }
            if (state == null || state.getClosed()) {
                lastFrameAt.remove(callId);
                continue;
            }
            log.info("call {}: no frame for {} ms, finishing it", callId, idle);
            finishIdle(callId, state);
        }
        for (String callId : new ArrayList<>(closedAt.keySet())) {
            if (now - closedAt.get(callId) >= config.closedRetention().toMillis()) {
                closedAt.remove(callId);
                CallAudioState state = calls.get(callId);
                if (state != null && state.getClosed()) {
                    calls.delete(callId);
                }
            }
        }
        metrics.activeCalls(lastFrameAt.size());
    }

    /** Finishes an idle call; one whose state makes that fail is moved aside, the others go on. */
    private void finishIdle(String callId, CallAudioState state) {
        try {
            Call call = new Call(callId, state, state.getLastTimestamp());
            call.finish(CallEnd.IDLE_TIMEOUT, Long.MAX_VALUE);
            call.save();
        } catch (RuntimeException e) {
            rethrowIfKafkas(e);
            moveAside(callId, null, state.getLastTimestamp(), e);
        }
    }

    /** Kafka Streams' own failures (a migrated task, a fenced producer, a broken state directory) are its to recover from. */
    private static void rethrowIfKafkas(RuntimeException e) {
        if (CallFailedException.in(e) == null && e instanceof StreamsException) {
            throw e;
        }
    }

    /**
     * Ends a call whose processing failed: logs the evidence, counts it, drops the call's
     * audio, leaves a closed-call marker ({@link CallEnd#INTERNAL_ERROR}) so that its later
     * frames are dead-lettered instead of failing again, ends its diarization (unless the
     * diarizer already did), and dead-letters the frame ({@code original}; null from the punctuator).
     */
    private void moveAside(String callId, OriginalRecord original, long timestamp, RuntimeException e) {
        String where = original == null ? "idle check" : original.getTopic() + "-" + original.getPartition()
                + " offset " + original.getOffset();
        log.error("call {} failed ({}); ending it as {} so that the other calls go on", callId, where,
                CallEnd.INTERNAL_ERROR, e);
        metrics.callFailed();
        deleteAudio(callId);
        CallAudioState marker = CallAudioState.newBuilder().setSampleRate(0).setClosed(true)
                .setClosedAtMs(context.currentSystemTimeMs()).setCloseReason(CallEnd.INTERNAL_ERROR.name()).build();
        lastFrameAt.remove(callId);
        if (config.closedRetention().isZero()) {
            calls.delete(callId);
        } else {
            calls.put(callId, marker);
            closedAt.put(callId, marker.getClosedAtMs());
        }
        if (CallFailedException.in(e) == null) {
            endDiarization(callId, timestamp);
        }
        if (original != null) {
            CallFailedException inDiarizer = CallFailedException.in(e);
            Throwable cause = inDiarizer != null && inDiarizer.getCause() != null ? inDiarizer.getCause() : e;
            deadLetter(original, DeadLetterReason.INTERNAL_ERROR, "processing call " + callId + " failed (" + cause
                    + "); the call was ended (" + CallEnd.INTERNAL_ERROR + ")");
        }
        metrics.activeCalls(lastFrameAt.size());
    }

    /** An empty last chunk: the diarizer emits the call's open segments and its end record. */
    private void endDiarization(String callId, long timestamp) {
        try {
            context.forward(new Record<>(callId, new AudioChunk(callId, 0, new float[0], true, CallEnd.INTERNAL_ERROR),
                    timestamp), DiarizationTopology.DIARIZER);
        } catch (RuntimeException e) {
            if (CallFailedException.in(e) == null) {
                throw e;
            }
        }
    }

    /** Deletes the call's frames; what cannot even be read is left to be overwritten. */
    private void deleteAudio(String callId) {
        try {
            List<Bytes> keys = new ArrayList<>();
            try (KeyValueIterator<Bytes, BufferedFrame> range =
                         buffer.range(BufferKey.first(callId), BufferKey.last(callId))) {
                range.forEachRemaining(entry -> keys.add(entry.key));
            }
            keys.forEach(buffer::delete);
        } catch (RuntimeException e) {
            rethrowIfKafkas(e);
            log.warn("call {}: its buffered audio could not be read to delete it", callId, e);
        }
    }

    private static boolean filled(CallAudioState state, long seq) {
        for (SequenceRange range : state.getFilled()) {
            if (seq >= range.getFirst() && seq <= range.getLast()) {
                return true;
            }
        }
        return false;
    }

    private void deadLetter(OriginalRecord original, DeadLetterReason reason, String message) {
        metrics.deadLettered(reason, message);
        context.forward(DeadLetters.record(original, reason, message), DiarizationTopology.DEAD_LETTER_SINK);
    }

    /** One call's assembler state while a frame or a punctuation is handled; {@link #save} writes it back. */
    private final class Call {
        private final String id;
        private final CallAudioState state;
        private final int rate;
        private final long timestamp;
        private final TreeSet<Long> pending;

        Call(String id, CallAudioState state, long timestamp) {
            this.id = id;
            this.state = state;
            this.rate = state.getSampleRate();
            this.timestamp = timestamp;
            this.pending = new TreeSet<>(state.getPending());
        }

        void offer(DecodedFrame frame) {
            long seq = frame.sequence();
            Long first = state.getFirstSequence();
            if (first != null && seq < state.getNextSequence()) {
                if (seq < first || filled(state, seq)) {
                    deadLetter(frame.original(), DeadLetterReason.LATE_FRAME, "frame " + seq + " of call " + id
                            + (seq < first ? " is older than the call's first frame " + first
                                           : " arrived after its place was filled with silence"));
                } else {
                    metrics.duplicate();
                }
                return;
            }
            if (pending.contains(seq)) {
                metrics.duplicate();
                return;
            }
            long limit = samples(config.bufferMax().toMillis());
            int n = frame.samples().length;
            if (state.getBufferedSamples() + state.getPendingSamples() + n > limit) {
                resolvePending(Long.MAX_VALUE);
                if (state.getClosed()) {
                    deadLetter(frame.original(), DeadLetterReason.valueOf(state.getCloseReason()), "call " + id
                            + " was closed (" + state.getCloseReason() + ") before frame " + seq + " could be placed");
                    return;
                }
                if (state.getBufferedSamples() + n > limit) {
                    deadLetter(frame.original(), DeadLetterReason.BUFFER_FULL, "frame " + seq + " of call " + id
                            + " (" + millis(n) + " ms) does not fit in the " + config.bufferMax().toMillis()
                            + " ms buffer (streamdrz.limits.buffer.max.ms) next to " + millis(state.getBufferedSamples())
                            + " ms not yet diarized");
                    return;
                }
            }
            state.setLastTimestamp(timestamp);
            first = state.getFirstSequence();     // resolving waiting frames may have fixed the start
            if (first != null && seq == state.getNextSequence()) {
                putInOrder(seq, frame.samples(), frame.original());
                drain();
            } else {
                buffer.put(BufferKey.of(id, seq), new BufferedFrame(FramePayloads.toBytes(frame.samples()), 0,
                        frame.original()));
                pending.add(seq);
                state.setPendingSamples(state.getPendingSamples() + n);
                if (first == null) {
                    if (pending.size() > config.reorderWindow()) {
                        start();
                    }
                } else {
                    while (!state.getClosed() && pending.size() > config.reorderWindow()) {
                        fillGapOrFail();
                    }
                }
            }
            if (frame.endOfStream() && !state.getClosed()) {
                finish(CallEnd.END_OF_STREAM, seq);
            }
        }

        /** Fixes the call's first sequence number: the lowest among the frames seen so far. */
        private void start() {
            long first = pending.first();
            state.setFirstSequence(first);
            state.setNextSequence(first);
            drain();
        }

        /** Finishes the call: frames up to {@code lastSequence} are resolved, later ones dead-lettered. */
        void finish(CallEnd reason, long lastSequence) {
            if (state.getFirstSequence() == null && !pending.isEmpty()) {
                start();
            }
            resolvePending(lastSequence);
            if (!state.getClosed()) {
                close(reason, DeadLetterReason.AFTER_END_OF_STREAM, "it comes after the call's end-of-stream frame");
            }
        }

        /** Declares missing frames lost until no frame up to {@code upTo} waits any more. */
        private void resolvePending(long upTo) {
            if (state.getFirstSequence() == null && !pending.isEmpty()) {
                start();
            }
            while (!state.getClosed() && !pending.isEmpty() && pending.first() <= upTo) {
                fillGapOrFail();
            }
        }

        /**
         * {@link #fillGap} that must make progress: each call closes the call or moves at
         * least one waiting frame into order, so the loops around it end after at most as
         * many turns as frames wait, whatever their sequence numbers.
         */
        private void fillGapOrFail() {
            int waiting = pending.size();
            fillGap();
            if (!state.getClosed() && pending.size() >= waiting) {
                throw new IllegalStateException("call " + id + ": no progress at sequence number "
                        + state.getNextSequence() + " with " + waiting + " frame(s) waiting from " + pending.first());
            }
        }

        /** The frames before the first waiting one are lost: silence for them, or the end of the call. */
        private void fillGap() {
            long lowest = pending.first();
            long next = state.getNextSequence();
            if (lowest <= next) {
                drain();
                return;
            }
            int frameSamples = state.getLastFrameSamples() > 0 ? state.getLastFrameSamples()
                    : FramePayloads.sampleCount(buffer.get(BufferKey.of(id, lowest)).getSamples());
            long silence = gapSamples(next, lowest, frameSamples);
            if (silence > Long.MAX_VALUE / 1000 || millis(silence) > config.gapFillMax().toMillis()) {
                close(CallEnd.GAP_TOO_LARGE, DeadLetterReason.GAP_TOO_LARGE, "frames " + next + ".." + (lowest - 1)
                        + " of call " + id + " are missing (" + describeGap(silence) + ", more than the "
                        + config.gapFillMax().toMillis() + " ms streamdrz.frames.gap.fill.max.ms); the call was closed");
                return;
            }
            if (!fitsCall(silence)) {
                close(CallEnd.CALL_TOO_LONG, DeadLetterReason.CALL_TOO_LONG, tooLong());
                return;
            }
            buffer.put(BufferKey.of(id, next), new BufferedFrame(ByteBuffer.allocate(0), (int) silence, null));
            List<SequenceRange> filled = new ArrayList<>(state.getFilled());
            filled.add(new SequenceRange(next, lowest - 1));
            if (filled.size() > FILLED_RANGES_KEPT) {
                filled.remove(0);
            }
            state.setFilled(filled);
            state.setNextSequence(lowest);
            addInOrder(silence);
            drain();
        }

        /**
         * Samples of silence for the frames from {@code next} up to {@code lowest}
         * (exclusive), or {@code Long.MAX_VALUE} when that does not fit in a long: sequence
         * numbers come from producers, and a difference of two of them can overflow.
         */
        private static long gapSamples(long next, long lowest, int frameSamples) {
            try {
                return Math.multiplyExact(Math.subtractExact(lowest, next), (long) frameSamples);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }

        private String describeGap(long silence) {
            return silence > Long.MAX_VALUE / 1000 ? "about " + silence / rate + " s or more"
                    : "about " + millis(silence) + " ms";
        }

        /** Moves waiting frames that now continue the call into order. */
        private void drain() {
            while (!state.getClosed() && !pending.isEmpty() && pending.first() == state.getNextSequence()) {
                long seq = pending.pollFirst();
                Bytes key = BufferKey.of(id, seq);
                BufferedFrame entry = buffer.get(key);
                int n = FramePayloads.sampleCount(entry.getSamples());
                state.setPendingSamples(state.getPendingSamples() - n);
                putInOrder(seq, FramePayloads.fromBytes(entry.getSamples()), entry.getOriginal());
            }
        }

        private void putInOrder(long seq, float[] samples, OriginalRecord original) {
            if (!fitsCall(samples.length)) {
                String message = tooLong();
                pending.add(seq);     // dead-lettered with the waiting frames by close()
                buffer.put(BufferKey.of(id, seq), new BufferedFrame(ByteBuffer.allocate(0), 0, original));
                close(CallEnd.CALL_TOO_LONG, DeadLetterReason.CALL_TOO_LONG, message);
                return;
            }
            buffer.put(BufferKey.of(id, seq), new BufferedFrame(FramePayloads.toBytes(samples), 0, null));
            state.setNextSequence(seq + 1);
            if (samples.length > 0) {
                state.setLastFrameSamples(samples.length);
            }
            if (live) {
                // before addInOrder: the live labeler hears a chunk's last audio before its final run
                long position = state.getChunkedSamples() + state.getBufferedSamples();
                context.forward(new Record<>(id, new LiveAudio(position, rate, samples), timestamp),
                        DiarizationTopology.LIVE);
            }
            addInOrder(samples.length);
        }

        private void addInOrder(long samples) {
            state.setBufferedSamples(state.getBufferedSamples() + samples);
            while (state.getBufferedSamples() >= samplesToNextChunk()) {
                cut(false, null);
            }
        }

        private boolean fitsCall(long moreSamples) {
            long length = state.getChunkedSamples() + state.getBufferedSamples() + moreSamples;
            return length <= samples(config.callMax().toMillis());
        }

        private String tooLong() {
            return "call " + id + " reached the " + config.callMax().toMillis()
                    + " ms limit (streamdrz.limits.call.max.ms); the call was closed";
        }

        /** Native samples from the call's current position to the end of its current chunk. */
        private long samplesToNextChunk() {
            long end = ((state.getChunkIndex() + 1L) * chunkSamples * rate + modelRate / 2) / modelRate;
            return end - state.getChunkedSamples();
        }

        /** Cuts the next chunk from the audio in order: a full one, or for {@code last} whatever there is. */
        private void cut(boolean last, CallEnd reason) {
            long take = last ? state.getBufferedSamples() : samplesToNextChunk();
            float[] audio = new float[(int) take];
            List<KeyValue<Bytes, BufferedFrame>> entries = new ArrayList<>();
            try (KeyValueIterator<Bytes, BufferedFrame> range =
                         buffer.range(BufferKey.first(id), BufferKey.of(id, state.getNextSequence() - 1))) {
                long collected = 0;
                while (collected < take && range.hasNext()) {
                    KeyValue<Bytes, BufferedFrame> entry = range.next();
                    entries.add(entry);
                    collected += FramePayloads.sampleCount(entry.value.getSamples()) + entry.value.getSilenceSamples();
                }
            }
            int filledUpTo = 0;
            for (KeyValue<Bytes, BufferedFrame> entry : entries) {
                float[] samples = FramePayloads.fromBytes(entry.value.getSamples());
                int silence = entry.value.getSilenceSamples();
                int wanted = (int) take - filledUpTo;
                int fromSamples = Math.min(samples.length, wanted);
                System.arraycopy(samples, 0, audio, filledUpTo, fromSamples);
                int fromSilence = Math.min(silence, wanted - fromSamples);
                filledUpTo += fromSamples + fromSilence;    // the array is already zero: silence costs nothing
                if (fromSamples == samples.length && fromSilence == silence) {
                    buffer.delete(entry.key);
                } else {
                    float[] rest = java.util.Arrays.copyOfRange(samples, fromSamples, samples.length);
                    buffer.put(entry.key, new BufferedFrame(FramePayloads.toBytes(rest), silence - fromSilence, null));
                }
            }
            if (filledUpTo != take) {
                throw new IllegalStateException("call " + id + ": the buffer holds " + filledUpTo
                        + " samples in order, its state says at least " + take);
            }
            int outLength = last ? (int) Math.round(take * (double) modelRate / rate) : chunkSamples;
            float[] chunk = Resampling.convert(audio, rate, modelRate, outLength);
            int index = state.getChunkIndex();
            state.setChunkedSamples(state.getChunkedSamples() + take);
            state.setBufferedSamples(state.getBufferedSamples() - take);
            state.setChunkIndex(index + 1);
            metrics.chunk();
            context.forward(new Record<>(id, new AudioChunk(id, index, chunk, last, reason), timestamp),
                    DiarizationTopology.DIARIZER);
        }

        /**
         * Finishes the call: its audio in order becomes the last chunk, waiting frames are
         * dead-lettered with {@code waitingReason}, and only a closed-call marker stays.
         */
        private void close(CallEnd reason, DeadLetterReason waitingReason, String waitingMessage) {
            cut(true, reason);
            for (long seq : pending) {
                BufferedFrame entry = buffer.get(BufferKey.of(id, seq));
                if (entry != null && entry.getOriginal() != null) {
                    deadLetter(entry.getOriginal(), waitingReason, "frame " + seq + " of call " + id + ": "
                            + waitingMessage);
                }
            }
            deleteAudio(id);
            Long first = state.getFirstSequence();
            long next = state.getNextSequence();
            pending.clear();
            state.setPendingSamples(0);
            state.setBufferedSamples(0);
            state.setClosed(true);
            state.setClosedAtMs(context.currentSystemTimeMs());
            state.setCloseReason(reason.name());
            state.setLastSequence(first == null || next == first ? null : next - 1);
            lastFrameAt.remove(id);
            closedAt.put(id, state.getClosedAtMs());
            log.debug("call {} finished ({}) after {} chunk(s)", id, reason, state.getChunkIndex());
        }

        void save() {
            state.setPending(new ArrayList<>(pending));
            if (state.getClosed() && config.closedRetention().isZero()) {
                calls.delete(id);
                closedAt.remove(id);
            } else {
                calls.put(id, state);
            }
        }

        private long samples(long millis) {
            return millis * rate / 1000;
        }

        private long millis(long samples) {
            return samples * 1000 / rate;
        }
    }
}
