package io.streamdrz.schema;

import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.StoredPrompt;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Records written with an older released schema decode with the current classes.
 *
 * <p>The writer schema is a frozen copy of AudioFrame v1 kept in test resources, not
 * the released file: if someone edits the released v1 file (changing its fingerprint),
 * records written before the edit stop decoding, and so does this test.
 */
class SchemaEvolutionTest {

    @Test
    void anAudioFrameWrittenWithVersion1DecodesWithTheCurrentClass() throws IOException {
        Schema v1 = frozenSchema("AudioFrame-v1.avsc");
        assertNull(v1.getField("producerTimestampMs"), "v1 predates the producer timestamp");
        assertNotEquals(ReleasedSchemas.fingerprint(v1), ReleasedSchemas.fingerprint(AudioFrame.getClassSchema()));

        GenericRecord written = new GenericRecordBuilder(v1)
                .set("callId", "call-v1")
                .set("sequenceNumber", 123_456_789_012L)
                .set("sampleRate", 16_000)
                .set("channels", 2)
                .set("encoding", new GenericData.EnumSymbol(v1.getField("encoding").schema(), "MULAW"))
                .set("payload", ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                .set("endOfStream", true)
                .build();
        // Avro's own single-object encoder, so the test does not depend on ours for writing.
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        AudioFrame frame = new AudioFrameSerde().deserialize("audio-in", bytes);

        assertEquals("call-v1", frame.getCallId());
        assertEquals(123_456_789_012L, frame.getSequenceNumber());
        assertEquals(16_000, frame.getSampleRate());
        assertEquals(2, frame.getChannels());
        assertEquals(AudioEncoding.MULAW, frame.getEncoding());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), frame.getPayload());
        assertEquals(true, frame.getEndOfStream());
        assertNull(frame.getProducerTimestampMs(), "a field added later takes its default");
    }

    @Test
    void callStateWrittenWithVersion1DecodesWithoutVoiceProfiles() throws IOException {
        // an application upgraded in place reads the changelog its previous version wrote
        Schema v1 = frozenSchema("CallDiarizationState-v1.avsc");
        Schema promptV1 = v1.getField("prompts").schema().getElementType();
        assertNull(promptV1.getField("voice"), "v1 predates voice profiles");
        GenericRecord prompt = new GenericRecordBuilder(promptV1)
                .set("label", 1)
                .set("samples", ByteBuffer.wrap(new byte[] {0, 0, -128, 63}))
                .set("cleanSeconds", 1.5)
                .set("lastChunk", 6)
                .build();
        GenericRecord written = new GenericRecordBuilder(v1)
                .set("chunkIndex", 7)
                .set("labels", 2)
                .set("prompts", java.util.List.of(prompt))
                .set("open", java.util.List.of())
                .build();
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        CallDiarizationState state = SingleObjectCodec.forReleased(CallDiarizationState.class).decode(bytes);

        assertEquals(7, state.getChunkIndex());
        assertEquals(2, state.getLabels());
        StoredPrompt p = state.getPrompts().get(0);
        assertEquals(1, p.getLabel());
        assertEquals(6, p.getLastChunk());
        assertEquals(ByteBuffer.wrap(new byte[] {0, 0, -128, 63}), p.getSamples());
        assertEquals(0, p.getVoice().remaining(), "a field added later takes its default: no profile");
        assertEquals(0, p.getVoiceFrames());
    }

    @Test
    void aSpeakerSegmentWrittenWithVersion1DecodesWithoutAnIdentity() throws IOException {
        // segments written before identification existed still read, with no enrolled speaker
        Schema v1 = releasedVersion("io.streamdrz.schema.SpeakerSegment", 1);
        assertNull(v1.getField("speakerId"), "v1 predates identification");
        GenericRecord written = new GenericRecordBuilder(v1)
                .set("callId", "old").set("speaker", "B").set("startMs", 1000L).set("endMs", 2000L)
                .set("confidence", 0.75f).set("chunkIndex", 0).set("modelId", "m")
                .build();
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        SpeakerSegment segment = new SpeakerSegmentSerde().deserialize("segments-out", bytes);

        assertEquals("B", segment.getSpeaker());
        assertNull(segment.getSpeakerId());
        assertNull(segment.getSpeakerName());
    }

    @Test
    void anAudioFrameWrittenWithVersion2DecodesWithoutHints() throws IOException {
        Schema v2 = releasedVersion("io.streamdrz.schema.AudioFrame", 2);
        assertNull(v2.getField("expectedSpeakers"), "v2 predates call hints");
        GenericRecord written = new GenericRecordBuilder(v2)
                .set("callId", "c").set("sequenceNumber", 0L).set("sampleRate", 8000).set("channels", 1)
                .set("encoding", new GenericData.EnumSymbol(v2.getField("encoding").schema(), "ALAW"))
                .set("payload", ByteBuffer.wrap(new byte[] {1})).set("endOfStream", false)
                .set("producerTimestampMs", 5L)
                .build();
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        AudioFrame frame = new AudioFrameSerde().deserialize("audio-in", bytes);

        assertEquals(5L, frame.getProducerTimestampMs());
        assertNull(frame.getExpectedSpeakers());
        assertNull(frame.getExpectedSpeakerIds());
    }

    @Test
    void aProvisionalSegmentReadsWithTheVersion2And1ReaderSchemas() throws IOException {
        // A consumer built on v1 or v2 that registers v3 (as a fastavro or avsc reader
        // would, from the file) reads segments-live: the new fields drop, the rest is intact.
        byte[] bytes = new SpeakerSegmentSerde().serialize("segments-live", Records.provisionalSegment());
        for (int version : new int[] {1, 2}) {
            Schema old = releasedVersion("io.streamdrz.schema.SpeakerSegment", version);
            GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), old, ReleasedSchemas.get())
                    .decode(bytes);

            assertEquals(old, read.getSchema());
            assertNull(read.getSchema().getField("status"), "v" + version + " predates the status");
            assertEquals("call-42", read.get("callId").toString());
            assertEquals("B", read.get("speaker").toString());
            assertEquals(1_250L, read.get("startMs"));
            assertEquals(4_800L, read.get("endMs"));
            assertEquals(0.875f, read.get("confidence"));
            assertEquals(3, read.get("chunkIndex"));
            assertEquals("drz-tiny-2026-11", read.get("modelId").toString());
            if (version == 2) {
                assertEquals("Ana", read.get("speakerName").toString());
            }
        }
    }

    @Test
    void aSpeakerSegmentWrittenWithVersion2ReadsAsFinal() throws IOException {
        // everything on segments-out before version 3 was final
        Schema v2 = releasedVersion("io.streamdrz.schema.SpeakerSegment", 2);
        GenericRecord written = new GenericRecordBuilder(v2)
                .set("callId", "old").set("speaker", "A").set("startMs", 0L).set("endMs", 900L)
                .set("confidence", 0.5f).set("chunkIndex", 1).set("modelId", "m")
                .set("speakerId", "agent-7").set("speakerName", "Ana")
                .build();
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        SpeakerSegment segment = new SpeakerSegmentSerde().deserialize("segments-out", bytes);

        assertEquals("agent-7", segment.getSpeakerId());
        assertEquals(SegmentStatus.FINAL, segment.getStatus());
        assertEquals(0, segment.getRevision());
        assertNull(segment.getFinalThroughMs());
    }

    @Test
    void aStatusThisVersionDoesNotKnowReadsAsFinal() throws IOException {
        // The enum's own default is what lets a later version add a status without
        // breaking readers of this one; a field default alone would not.
        Schema later = new Schema.Parser().parse(SpeakerSegment.getClassSchema().toString()
                .replace("\"REVISED\"]", "\"REVISED\",\"RETRACTED\"]"));
        GenericRecord written = new GenericRecordBuilder(later)
                .set("callId", "c").set("speaker", "A").set("startMs", 0L).set("endMs", 1L)
                .set("confidence", 1f).set("chunkIndex", 0).set("modelId", "m")
                .set("status", new GenericData.EnumSymbol(later.getField("status").schema(), "RETRACTED"))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(later).write(written, encoder);
        encoder.flush();

        SpeakerSegment segment = new SpecificDatumReader<SpeakerSegment>(later, SpeakerSegment.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertEquals(SegmentStatus.FINAL, segment.getStatus());
    }

    private static Schema releasedVersion(String fullName, int version) {
        return ReleasedSchemas.get().versions(fullName).get(version - 1);
    }

    @Test
    void theFrozenVersion1IsStillReleasedUnchanged() throws IOException {
        Schema v1 = frozenSchema("AudioFrame-v1.avsc");
        Schema released = ReleasedSchemas.get().findByFingerprint(ReleasedSchemas.fingerprint(v1));
        assertNotNull(released, "AudioFrame v1 is no longer in the schema store, or its released file was edited");
        assertEquals(ReleasedSchemas.get().versions("io.streamdrz.schema.AudioFrame").get(0), released);
    }

    private static Schema frozenSchema(String file) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(file)) {
            assertNotNull(in, file + " missing from test resources");
            return new Schema.Parser().parse(in);
        }
    }
}
