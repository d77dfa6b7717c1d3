package io.streamdrz.topology;

import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.RecordDecodeException;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.speakers.CallHints;
import io.streamdrz.state.OriginalRecord;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * First step of the audio path: turns raw {@code audio-in} records into decoded
 * frames, or dead-letters them. Reads bytes, never lets a bad record throw: the value
 * is decoded here, not by a deserializer, so that undecodable bytes reach the
 * dead-letter topic unchanged instead of stopping the application.
 *
 * <p>Checks, in order: a value exists; it is a released AudioFrame; the key is the
 * call id; rate and channels are convertible; the payload is within the size limit,
 * holds whole samples and (for floats) finite ones; the call hints, if any, are sound
 * ({@link CallHints#problem()}; then they are kept for the diarizer).
 */
final class FrameValidator implements Processor<byte[], byte[], Object, Object> {

    private final SingleObjectCodec<AudioFrame> codec = SingleObjectCodec.forReleased(AudioFrame.class);
    private final TopologyConfig config;
    private ProcessorContext<Object, Object> context;
    private TopologyMetrics metrics;
    private CallSpeakersStore speakers;

    FrameValidator(TopologyConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.metrics = TopologyMetrics.of(context);
        this.speakers = CallSpeakersStore.of(context);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        OriginalRecord original = DeadLetters.original(record, context.recordMetadata());
        if (record.value() == null) {
            deadLetter(original, DeadLetterReason.NULL_VALUE, "the record has no value; audio-in carries AudioFrame records");
            return;
        }
        // Cheap guard before decoding anything: a value far beyond the payload limit cannot be a valid frame.
        if (record.value().length > config.frameMaxBytes() + 64 * 1024) {
            deadLetter(original, DeadLetterReason.FRAME_TOO_LARGE, "the value has " + record.value().length
                    + " bytes, more than the " + config.frameMaxBytes() + "-byte payload limit allows");
            return;
        }
        AudioFrame frame;
        try {
            frame = codec.decode(record.value());
        } catch (RecordDecodeException e) {
            deadLetter(original, DeadLetterReason.of(e.reason()), e.getMessage());
            return;
        }
        String problem = keyProblem(record.key(), frame.getCallId());
        if (problem != null) {
            deadLetter(original, DeadLetterReason.KEY_MISMATCH, problem);
            return;
        }
        int rate = frame.getSampleRate();
        int channels = frame.getChannels();
        if (rate < TopologyConfig.MIN_SAMPLE_RATE || rate > TopologyConfig.MAX_SAMPLE_RATE) {
            deadLetter(original, DeadLetterReason.UNSUPPORTED_FORMAT, "sample rate " + rate + " Hz is outside "
                    + TopologyConfig.MIN_SAMPLE_RATE + ".." + TopologyConfig.MAX_SAMPLE_RATE + " Hz");
            return;
        }
        if (channels < 1 || channels > TopologyConfig.MAX_CHANNELS) {
            deadLetter(original, DeadLetterReason.UNSUPPORTED_FORMAT, channels + " channels; the app downmixes 1.."
                    + TopologyConfig.MAX_CHANNELS);
            return;
        }
        ByteBuffer payload = frame.getPayload();
        if (payload.remaining() > config.frameMaxBytes()) {
            deadLetter(original, DeadLetterReason.FRAME_TOO_LARGE, "the payload has " + payload.remaining()
                    + " bytes; the limit is " + config.frameMaxBytes() + " (streamdrz.limits.frame.max.bytes)");
            return;
        }
        int frameBytes = FramePayloads.bytesPerSample(frame.getEncoding()) * channels;
        if (payload.remaining() % frameBytes != 0) {
            deadLetter(original, DeadLetterReason.BAD_PAYLOAD, "the payload has " + payload.remaining()
                    + " bytes, not a whole number of " + frameBytes + "-byte samples (" + frame.getEncoding()
                    + ", " + channels + " channel(s))");
            return;
        }
        float[] samples = FramePayloads.decodeMono(payload, frame.getEncoding(), channels);
        for (int i = 0; i < samples.length; i++) {
            if (!Float.isFinite(samples[i])) {
                deadLetter(original, DeadLetterReason.BAD_PAYLOAD, "sample " + i + " is " + samples[i]);
                return;
            }
        }
        if (!acceptHints(original, frame)) {
            return;
        }
        DecodedFrame decoded = new DecodedFrame(frame.getCallId(), frame.getSequenceNumber(), rate,
                frame.getEndOfStream(), samples, original);
        context.forward(new Record<>(frame.getCallId(), decoded, record.timestamp()), DiarizationTopology.ASSEMBLER);
    }

    /** Checks the frame's call hints and keeps them for the diarizer; false if they were dead-lettered. */
    private boolean acceptHints(OriginalRecord original, AudioFrame frame) {
        CallHints hints = CallHints.of(frame);
        String problem = hints.problem();
        if (problem != null) {
            deadLetter(original, DeadLetterReason.BAD_HINT, problem);
            return false;
        }
        if (!hints.isEmpty()) {
            speakers.putHints(frame.getCallId(), hints);
        }
        return true;
    }

    private static String keyProblem(byte[] key, String callId) {
        if (callId.isEmpty()) {
            return "the call id is empty";
        }
        if (key == null) {
            return "the record has no key; the key must be the call id '" + callId + "'";
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return "the key is not UTF-8 text; it must be the call id '" + callId + "'";
        }
        return text.equals(callId) ? null : "the key '" + text + "' is not the call id '" + callId + "'";
    }

    private void deadLetter(OriginalRecord original, DeadLetterReason reason, String message) {
        metrics.deadLettered(reason, message);
        context.forward(DeadLetters.record(original, reason, message), DiarizationTopology.DEAD_LETTER_SINK);
    }
}
