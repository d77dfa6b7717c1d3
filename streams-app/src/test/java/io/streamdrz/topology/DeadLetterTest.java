package io.streamdrz.topology;

import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.ReleasedSchemas;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.streamdrz.topology.DiarizationTopologyTest.SCRIPT;
import static io.streamdrz.topology.DiarizationTopologyTest.sortedSegments;
import static io.streamdrz.topology.FrameArrivalTest.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Every kind of unusable record goes to the dead-letter topic with its original key,
 * value and headers and the reason headers, and the application carries on.
 */
class DeadLetterTest {

    private static final byte[] KEY = "call-1".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path stateDir;

    private final AudioFrame good = TestCalls.withEndOfStream(TestCalls.frames("call-1", "5:20").get(0), false);

    @Test
    void garbageBytes() {
        assertDeadLettered(KEY, "hello, world".getBytes(StandardCharsets.UTF_8), "NOT_SINGLE_OBJECT");
    }

    @Test
    void truncatedRecords() {
        byte[] bytes = TestCalls.bytes(good);
        assertDeadLettered(KEY, Arrays.copyOf(bytes, bytes.length / 2), "TRUNCATED");
        assertDeadLettered(KEY, Arrays.copyOf(bytes, 6), "TRUNCATED");
        assertDeadLettered(KEY, new byte[0], "TRUNCATED");
    }

    @Test
    void anUnknownFingerprint() {
        byte[] bytes = TestCalls.bytes(good);
        bytes[5] ^= 0x5A;
        assertDeadLettered(KEY, bytes, "UNKNOWN_FINGERPRINT");
    }

    @Test
    void anEncodingThisAppDoesNotKnow() {
        // A producer with a newer schema that added OPUS: an unreleased schema ...
        Schema withOpus = new Schema.Parser().parse(AudioFrame.getClassSchema().toString()
                .replace("\"ALAW\"]", "\"ALAW\",\"OPUS\"]"));
        assertDeadLettered(KEY, opusFrame(withOpus, ReleasedSchemas.fingerprint(withOpus)), "UNKNOWN_FINGERPRINT");
        // ... or one that claims to be the released schema while writing an encoding it does not have.
        assertDeadLettered(KEY, opusFrame(withOpus, ReleasedSchemas.fingerprint(AudioFrame.getClassSchema())),
                "MALFORMED");
    }

    @Test
    void ratesAndChannelCountsTheAppCannotConvert() {
        assertDeadLettered(frame(b -> b.setSampleRate(1_000)), "UNSUPPORTED_FORMAT");
        assertDeadLettered(frame(b -> b.setSampleRate(384_000)), "UNSUPPORTED_FORMAT");
        assertDeadLettered(frame(b -> b.setSampleRate(-16_000)), "UNSUPPORTED_FORMAT");
        assertDeadLettered(frame(b -> b.setChannels(0)), "UNSUPPORTED_FORMAT");
        assertDeadLettered(frame(b -> b.setChannels(9)), "UNSUPPORTED_FORMAT");
    }

    @Test
    void oversizeFrames() {
        int limit = TopologyConfig.builder().build().frameMaxBytes();
        assertDeadLettered(frame(b -> b.setPayload(ByteBuffer.allocate(limit + 2))), "FRAME_TOO_LARGE");
        // Far too large to be worth decoding at all.
        byte[] huge = Arrays.copyOf(TestCalls.bytes(good), limit + 100_000);
        assertDeadLettered(KEY, huge, "FRAME_TOO_LARGE");
    }

    @Test
    void payloadsThatAreNotWholeSamples() {
        assertDeadLettered(frame(b -> b.setPayload(ByteBuffer.allocate(641))), "BAD_PAYLOAD");
        assertDeadLettered(frame(b -> b.setChannels(2).setPayload(ByteBuffer.allocate(642))), "BAD_PAYLOAD");
        ByteBuffer nan = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(Float.NaN).flip();
        assertDeadLettered(frame(b -> b.setEncoding(AudioEncoding.PCM_F32LE).setPayload(nan)), "BAD_PAYLOAD");
    }

    @Test
    void recordsWithoutValueOrWithTheWrongKey() {
        assertDeadLettered(KEY, null, "NULL_VALUE");
        byte[] value = TestCalls.bytes(good);
        assertDeadLettered(null, value, "KEY_MISMATCH");
        assertDeadLettered("call-2".getBytes(StandardCharsets.UTF_8), value, "KEY_MISMATCH");
        assertDeadLettered(new byte[] {(byte) 0xC3, 0x28}, value, "KEY_MISMATCH");
        assertDeadLettered(new byte[0], TestCalls.bytes(frame(b -> b.setCallId(""))), "KEY_MISMATCH");
    }

    @Test
    void badRecordsBetweenGoodFramesChangeNothingAndAreCounted() {
        List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            for (int i = 0; i < frames.size(); i++) {
                h.send(frames.get(i));
                if (i % 25 == 0) {
                    h.send(KEY, "junk".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
                    h.send(KEY, null, new RecordHeaders());
                }
            }
            assertEquals(TestCalls.expected(SCRIPT), sortedSegments(h.output()));
            int bad = 2 * ((frames.size() + 24) / 25);
            assertEquals(bad, h.deadLettered().size());
            assertEquals(bad / 2, (int) h.metric("dead-lettered-not-single-object-total"));
            assertEquals(bad / 2, (int) h.metric("dead-lettered-null-value-total"));
        }
    }

    private void assertDeadLettered(AudioFrame frame, String reason) {
        assertDeadLettered(frame.getCallId().getBytes(StandardCharsets.UTF_8), TestCalls.bytes(frame), reason);
    }

    /** Sends one record (with a header of its own) to a fresh topology and checks what reaches the dead-letter topic. */
    private void assertDeadLettered(byte[] key, byte[] value, String reason) {
        try (TopologyHarness h = TopologyHarness.standard(stateDir.resolve(reason + "-" + System.nanoTime()))) {
            h.send(good);                                    // offset 0: a good frame first
            Headers headers = new RecordHeaders().add("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8));
            h.send(key, value, headers);                     // offset 1
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size(), reason);
            TestRecord<byte[], byte[]> record = dead.get(0);
            assertArrayEquals(key, record.key(), "original key");
            assertArrayEquals(value, record.value(), "original value");
            assertEquals("abc-123", header(record, "trace-id"), "original headers kept");
            assertEquals(reason, header(record, DeadLetters.REASON));
            assertFalse(header(record, DeadLetters.MESSAGE).isBlank());
            assertEquals("audio-in", header(record, DeadLetters.TOPIC));
            assertEquals("0", header(record, DeadLetters.PARTITION));
            assertEquals("1", header(record, DeadLetters.OFFSET));
            assertEquals(List.of(), h.output(), "nothing on segments-out");
            assertNull(record.headers().lastHeader("streamdrz.unexpected"));
        }
    }

    private AudioFrame frame(java.util.function.Consumer<AudioFrame.Builder> change) {
        AudioFrame.Builder builder = AudioFrame.newBuilder(good);
        change.accept(builder);
        return builder.build();
    }

    private static byte[] opusFrame(Schema schema, long claimedFingerprint) {
        GenericRecord record = new GenericRecordBuilder(schema)
                .set("callId", "call-1")
                .set("sequenceNumber", 1L)
                .set("sampleRate", 48_000)
                .set("channels", 1)
                .set("encoding", new GenericData.EnumSymbol(schema.getField("encoding").schema(), "OPUS"))
                .set("payload", ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .set("endOfStream", false)
                .set("producerTimestampMs", null)
                .build();
        ByteBuffer encoded;
        try {
            encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(claimedFingerprint);
        return bytes;
    }
}
