package io.streamdrz.schema;

import io.streamdrz.schema.RecordDecodeException.Reason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way bytes can fail to be a record gives a {@link RecordDecodeException} that names the problem. */
class RecordDecodeFailureTest {

    private final AudioFrameSerde audioFrames = new AudioFrameSerde();
    private final byte[] valid = audioFrames.serialize("audio-in", Records.audioFrame(1_763_700_000_123L));

    @Test
    void garbageIsNotSingleObject() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x17;
        RecordDecodeException e = decodeFails(garbage, Reason.NOT_SINGLE_OBJECT);
        assertTrue(e.getMessage().contains("17"), e.getMessage());
        assertTrue(e.getMessage().contains("C3 01"), e.getMessage());
    }

    @Test
    void jsonTextIsNotSingleObject() {
        decodeFails("{\"callId\":\"call-42\"}".getBytes(StandardCharsets.UTF_8), Reason.NOT_SINGLE_OBJECT);
    }

    @Test
    void aWrongFormatVersionByteIsNotSingleObject() {
        byte[] bytes = valid.clone();
        bytes[1] = 0x02;
        decodeFails(bytes, Reason.NOT_SINGLE_OBJECT);
    }

    @Test
    void emptyBytesAreTruncated() {
        decodeFails(new byte[0], Reason.TRUNCATED);
    }

    @Test
    void everyProperPrefixOfARecordIsTruncated() {
        for (int length = 1; length < valid.length; length++) {
            RecordDecodeException e = decodeFails(Arrays.copyOf(valid, length), Reason.TRUNCATED);
            assertTrue(e.getMessage().startsWith("TRUNCATED: "), e.getMessage());
        }
    }

    @Test
    void anUnknownFingerprintIsNamed() {
        byte[] bytes = valid.clone();
        for (int i = 2; i < 10; i++) {
            bytes[i] = (byte) (0x10 + i);
        }
        RecordDecodeException e = decodeFails(bytes, Reason.UNKNOWN_FINGERPRINT);
        // The fingerprint as a little-endian long: bytes 0x12..0x19 read back to front.
        assertTrue(e.getMessage().contains("0x1918171615141312"), e.getMessage());
    }

    @Test
    void aReleasedSchemaOfAnotherRecordIsIncompatible() {
        byte[] segment = new SpeakerSegmentSerde().serialize("segments-out", Records.speakerSegment());
        RecordDecodeException e = decodeFails(segment, Reason.INCOMPATIBLE_SCHEMA);
        assertTrue(e.getMessage().contains("io.streamdrz.schema.SpeakerSegment"), e.getMessage());
    }

    @Test
    void bytesLeftOverAfterTheRecordAreMalformed() {
        byte[] bytes = Arrays.copyOf(valid, valid.length + 3);
        RecordDecodeException e = decodeFails(bytes, Reason.MALFORMED);
        assertTrue(e.getMessage().contains("3 bytes left over"), e.getMessage());
    }

    @Test
    void aNegativeLengthIsMalformed() {
        byte[] bytes = Arrays.copyOf(valid, valid.length);
        bytes[10] = 0x01; // zig-zag varint -1 as the length of callId
        decodeFails(bytes, Reason.MALFORMED);
    }

    @Test
    void anEnumIndexOutOfRangeIsMalformed() {
        AudioFrame frame = Records.audioFrame(null);
        byte[] bytes = audioFrames.serialize("audio-in", frame);
        // Body: callId (1 length byte + 7 chars), sequenceNumber 7 (1 byte), sampleRate 8000
        // (2 bytes), channels 1 (1 byte), then the encoding's index.
        int encodingAt = 10 + 1 + frame.getCallId().length() + 1 + 2 + 1;
        assertEquals(0, bytes[encodingAt], "PCM_S16LE is index 0");
        bytes[encodingAt] = 2 * 9; // zig-zag 9: past the 4 symbols
        decodeFails(bytes, Reason.MALFORMED);
    }

    @Test
    void aHugeDeclaredLengthFailsWithoutAllocatingIt() {
        byte[] bytes = Arrays.copyOf(valid, 16);
        // callId length = 1 GiB (zig-zag varint of 2^30), under Avro's own 2 GiB limit:
        // the decoder must notice the input is 6 bytes long before allocating 1 GiB.
        byte[] hugeLength = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        System.arraycopy(hugeLength, 0, bytes, 10, hugeLength.length);
        long before = allocatedByThisThread();
        decodeFails(bytes, Reason.TRUNCATED);
        long allocated = allocatedByThisThread() - before;
        assertTrue(allocated < 1L << 20, "decoding allocated " + allocated + " bytes");
    }

    private RecordDecodeException decodeFails(byte[] bytes, Reason expected) {
        Executable decode = () -> audioFrames.deserialize("audio-in", bytes);
        RecordDecodeException e = assertThrows(RecordDecodeException.class, decode);
        assertEquals(expected, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith(expected.name() + ": "), e.getMessage());
        return e;
    }

    private static long allocatedByThisThread() {
        // HotSpot counts every byte a thread allocates; exact, unlike heap occupancy.
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
