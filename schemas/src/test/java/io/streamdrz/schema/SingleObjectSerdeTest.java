package io.streamdrz.schema;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SingleObjectSerdeTest {

    private final AudioFrameSerde audioFrames = new AudioFrameSerde();
    private final SpeakerSegmentSerde segments = new SpeakerSegmentSerde();

    @Test
    void audioFrameRoundTrips() {
        for (Long timestamp : new Long[] {null, 1_763_700_000_123L}) {
            AudioFrame frame = Records.audioFrame(timestamp);
            byte[] bytes = audioFrames.serializer().serialize("audio-in", frame);
            assertEquals(frame, audioFrames.deserializer().deserialize("audio-in", bytes));
        }
    }

    @Test
    void everyEncodingRoundTrips() {
        for (AudioEncoding encoding : AudioEncoding.values()) {
            AudioFrame frame = AudioFrame.newBuilder(Records.audioFrame(null))
                    .setEncoding(encoding).setEndOfStream(true).setPayload(ByteBuffer.allocate(0)).build();
            assertEquals(frame, audioFrames.deserialize("audio-in", audioFrames.serialize("audio-in", frame)));
        }
    }

    @Test
    void speakerSegmentRoundTrips() {
        SpeakerSegment segment = Records.speakerSegment();
        byte[] bytes = segments.serializer().serialize("segments-out", segment);
        assertEquals(segment, segments.deserializer().deserialize("segments-out", bytes));
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertNull(audioFrames.serialize("audio-in", null));
        assertNull(audioFrames.deserialize("audio-in", (byte[]) null));
        assertNull(segments.serialize("segments-out", null));
        assertNull(segments.deserialize("segments-out", (byte[]) null));
    }

    @Test
    void writesExactlyWhatAvroItselfWritesInSingleObjectEncoding() throws Exception {
        // Avro's generated toByteBuffer() is the reference implementation of the format.
        AudioFrame frame = Records.audioFrame(1_763_700_000_123L);
        byte[] reference = toArray(frame.toByteBuffer());
        assertArrayEquals(reference, audioFrames.serialize("audio-in", frame));

        SpeakerSegment segment = Records.speakerSegment();
        assertArrayEquals(toArray(segment.toByteBuffer()), segments.serialize("segments-out", segment));
    }

    @Test
    void headerIsMarkerThenLittleEndianFingerprint() {
        byte[] bytes = audioFrames.serialize("audio-in", Records.audioFrame(null));
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fingerprint = ReleasedSchemas.fingerprint(AudioFrame.getClassSchema());
        for (int i = 0; i < 8; i++) {
            assertEquals((byte) (fingerprint >>> (8 * i)), bytes[2 + i], "fingerprint byte " + i);
        }
    }

    @Test
    void aRecordMissingARequiredFieldFailsToEncodeWithASerializationException() {
        AudioFrame incomplete = new AudioFrame(); // every field null, which the schema forbids
        SerializationException e = assertThrows(SerializationException.class,
                () -> audioFrames.serialize("audio-in", incomplete));
        assertEquals(true, e.getMessage().contains("io.streamdrz.schema.AudioFrame"), e.getMessage());
    }

    private static byte[] toArray(ByteBuffer buffer) {
        return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(),
                buffer.arrayOffset() + buffer.limit());
    }
}
