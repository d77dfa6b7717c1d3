package io.streamdrz.client;

import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Sends calls to audio-in as AudioFrame records, several calls interleaved as they
 * would be live. Each call's frames are numbered from 0; the last one carries
 * {@code endOfStream} (an extra empty frame if the audio ends on a frame boundary is
 * not needed: the flag rides on the last audio frame).
 *
 * <p>Paced at {@code speed} times real time, a frame is sent when its last sample
 * would have been spoken: frame {@code k} of {@code frameMs} at
 * {@code start + (k + 1) * frameMs / speed}. The record timestamp (and
 * {@code producerTimestampMs}) is the moment it is sent, which is what end-to-end
 * latency is measured from. {@code speed <= 0} sends as fast as possible.
 */
public final class AudioProducer {

    /**
     * @param encoding    payload encoding
     * @param frameMs     audio per frame
     * @param channels    channels to write (mono audio is copied to each)
     * @param speed       times real time; 0 or less: no pacing
     * @param endOfStream mark each call's last frame as its end
     */
    public record Options(AudioEncoding encoding, int frameMs, int channels, double speed, boolean endOfStream) {

        public Options {
            if (frameMs < 1) {
                throw new IllegalArgumentException("frame length must be >= 1 ms, not " + frameMs);
            }
            if (channels < 1) {
                throw new IllegalArgumentException("channels must be >= 1, not " + channels);
            }
        }

        public static Options realTime() {
            return new Options(AudioEncoding.PCM_S16LE, 20, 1, 1.0, true);
        }
    }

    private AudioProducer() {
    }

    /**
     * Sends every call, interleaved, and waits until the broker has acknowledged all of
     * it. {@code onFrame} sees each frame right after it is handed to the producer.
     *
     * @return frames sent
     */
    public static long produce(Producer<String, AudioFrame> producer, String topic, List<CallAudio> calls,
                               Options options, Consumer<AudioFrame> onFrame) throws InterruptedException {
        return produce(producer, topic, calls, new long[calls.size()], options, onFrame);
    }

    /**
     * As {@link #produce(Producer, String, List, Options, Consumer)}, call i starting
     * {@code startDelaysMs[i]} after the first (paced runs only: live calls do not all
     * begin at the same instant).
     */
    public static long produce(Producer<String, AudioFrame> producer, String topic, List<CallAudio> calls,
                               long[] startDelaysMs, Options options, Consumer<AudioFrame> onFrame)
            throws InterruptedException {
        if (startDelaysMs.length != calls.size()) {
            throw new IllegalArgumentException(startDelaysMs.length + " start delays for " + calls.size() + " calls");
        }
        PriorityQueue<Cursor> due = new PriorityQueue<>(Comparator.comparingLong(Cursor::dueNanos));
        long start = System.nanoTime();
        for (int i = 0; i < calls.size(); i++) {
            due.add(new Cursor(calls.get(i), options, start + startDelaysMs[i] * 1_000_000L));
        }
        long sent = 0;
        Future<?> last = null;
        while (!due.isEmpty()) {
            Cursor cursor = due.poll();
            if (options.speed() > 0) {
                long wait = cursor.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            AudioFrame frame = cursor.next();
            last = producer.send(new ProducerRecord<>(topic, null, frame.getProducerTimestampMs(), frame.getCallId(), frame));
            sent++;
            onFrame.accept(frame);
            if (cursor.hasNext()) {
                due.add(cursor);
            }
        }
        producer.flush();
        if (last != null) {
            try {
                last.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("sending to " + topic + " failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return sent;
    }

    /** Where one call stands. */
    private static final class Cursor {
        private final CallAudio call;
        private final Options options;
        private final long start;
        private final int samplesPerFrame;
        private final int frames;
        private int index;

        Cursor(CallAudio call, Options options, long start) {
            this.call = call;
            this.options = options;
            this.start = start;
            this.samplesPerFrame = Math.max(1, (int) ((long) call.audio().sampleRate() * options.frameMs() / 1000));
            this.frames = Math.max(1, (call.audio().samples().length + samplesPerFrame - 1) / samplesPerFrame);
        }

        long dueNanos() {
            return options.speed() <= 0 ? index : start + (long) ((index + 1) * options.frameMs() * 1e6 / options.speed());
        }

        boolean hasNext() {
            return index < frames;
        }

        AudioFrame next() {
            float[] samples = call.audio().samples();
            int from = Math.min(samples.length, index * samplesPerFrame);
            int n = Math.min(samplesPerFrame, samples.length - from);
            AudioFrame frame = AudioFrame.newBuilder()
                    .setCallId(call.callId())
                    .setSequenceNumber(index)
                    .setSampleRate(call.audio().sampleRate())
                    .setChannels(options.channels())
                    .setEncoding(options.encoding())
                    .setPayload(FrameEncoding.encode(samples, from, n, options.encoding(), options.channels()))
                    .setEndOfStream(options.endOfStream() && index == frames - 1)
                    .setProducerTimestampMs(System.currentTimeMillis())
                    .build();
            if (index == 0) {   // the call's hints ride on its first frame
                frame.setExpectedSpeakers(call.hints().expectedSpeakers());
                frame.setExpectedSpeakerIds(call.hints().expectedSpeakerIds().isEmpty() ? null
                        : call.hints().expectedSpeakerIds());
            }
            index++;
            return frame;
        }
    }
}
