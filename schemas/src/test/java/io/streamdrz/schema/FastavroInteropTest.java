package io.streamdrz.schema;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Records written by Python's fastavro from the {@code .avsc} files alone decode in Java.
 * This is the contract for producers in other languages: no Java, no registry, just the
 * schema file and the single-object encoding.
 */
class FastavroInteropTest {

    private static final Path CURRENT = Path.of("src/main/avro");
    private static final Path RELEASED = Path.of("src/main/resources/streamdrz/schemas");
    private static final Path FROZEN_V1 = Path.of("src/test/resources/io/streamdrz/schema/AudioFrame-v1.avsc");

    private static final byte[] PAYLOAD = "mu-law bytes\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void anAudioFrameWrittenWithTheCurrentAvscDecodes() throws Exception {
        byte[] bytes = FastavroWriter.write(CURRENT.resolve("AudioFrame.avsc"), """
                {"callId": "py-call", "sequenceNumber": 9007199254740993, "sampleRate": 8000, "channels": 1,
                 "encoding": "MULAW", "payload": "%s", "endOfStream": true,
                 "producerTimestampMs": 1763700000123}
                """.formatted(Base64.getEncoder().encodeToString(PAYLOAD)));

        AudioFrame frame = new AudioFrameSerde().deserialize("audio-in", bytes);

        assertEquals("py-call", frame.getCallId());
        assertEquals(9_007_199_254_740_993L, frame.getSequenceNumber(), "a long beyond double precision");
        assertEquals(8000, frame.getSampleRate());
        assertEquals(1, frame.getChannels());
        assertEquals(AudioEncoding.MULAW, frame.getEncoding());
        assertEquals(ByteBuffer.wrap(PAYLOAD), frame.getPayload());
        assertEquals(true, frame.getEndOfStream());
        assertEquals(1_763_700_000_123L, frame.getProducerTimestampMs());
    }

    @Test
    void anAudioFrameWrittenWithVersion1DecodesWithoutATimestamp() throws Exception {
        byte[] bytes = FastavroWriter.write(FROZEN_V1, """
                {"callId": "py-old", "sequenceNumber": 1, "sampleRate": 16000, "channels": 2,
                 "encoding": "PCM_F32LE", "payload": "%s", "endOfStream": false}
                """.formatted(Base64.getEncoder().encodeToString(PAYLOAD)));

        AudioFrame frame = new AudioFrameSerde().deserialize("audio-in", bytes);

        assertEquals("py-old", frame.getCallId());
        assertEquals(AudioEncoding.PCM_F32LE, frame.getEncoding());
        assertEquals(2, frame.getChannels());
        assertNull(frame.getProducerTimestampMs());
    }

    @Test
    void aSpeakerSegmentWrittenWithTheCurrentAvscDecodes() throws Exception {
        byte[] bytes = FastavroWriter.write(CURRENT.resolve("SpeakerSegment.avsc"), """
                {"callId": "py-call", "speaker": "C", "startMs": 61000, "endMs": 62500,
                 "confidence": 0.5, "chunkIndex": 12, "modelId": "py-model"}
                """);

        SpeakerSegment segment = new SpeakerSegmentSerde().deserialize("segments-out", bytes);

        assertEquals(SpeakerSegment.newBuilder().setCallId("py-call").setSpeaker("C").setStartMs(61_000L)
                .setEndMs(62_500L).setConfidence(0.5f).setChunkIndex(12).setModelId("py-model").build(), segment);
    }

    @Test
    void aProvisionalSegmentWrittenWithTheCurrentAvscDecodes() throws Exception {
        // a live-view tool in Python can write (and so test against) segments-live records
        byte[] bytes = FastavroWriter.write(CURRENT.resolve("SpeakerSegment.avsc"), """
                {"callId": "py-call", "speaker": "A", "startMs": 8000, "endMs": 9500, "confidence": 0.25,
                 "chunkIndex": 1, "modelId": "py-model", "status": "PROVISIONAL", "revision": 4,
                 "finalThroughMs": 7250}
                """);

        SpeakerSegment segment = new SpeakerSegmentSerde().deserialize("segments-live", bytes);

        assertEquals(SegmentStatus.PROVISIONAL, segment.getStatus());
        assertEquals(4, segment.getRevision());
        assertEquals(7_250L, segment.getFinalThroughMs());
        assertEquals(9_500L, segment.getEndMs());
    }

    @Test
    void aSpeakerSegmentWrittenWithVersion2ReadsAsFinal() throws Exception {
        byte[] bytes = FastavroWriter.write(RELEASED.resolve("SpeakerSegment-v2.avsc"), """
                {"callId": "py-old", "speaker": "B", "startMs": 0, "endMs": 500, "confidence": 1.0,
                 "chunkIndex": 0, "modelId": "py-model", "speakerId": "agent-7", "speakerName": "Ana"}
                """);

        SpeakerSegment segment = new SpeakerSegmentSerde().deserialize("segments-out", bytes);

        assertEquals("Ana", segment.getSpeakerName());
        assertEquals(SegmentStatus.FINAL, segment.getStatus());
        assertEquals(0, segment.getRevision());
        assertNull(segment.getFinalThroughMs());
    }

    @Test
    void aVoiceprintWrittenWithTheCurrentAvscDecodes() throws Exception {
        // an enrolment tool in Python writes prints the app reads
        byte[] bytes = FastavroWriter.write(CURRENT.resolve("Voiceprint.avsc"), """
                {"speakerId": "agent-7", "displayName": "Ana", "modelId": "py-model",
                 "embeddings": [[0.6, 0.8], [1.0, 0.0]], "speechSeconds": 21.5, "createdMs": 1700000000000}
                """);

        Voiceprint print = new VoiceprintSerde().deserialize("speakers", bytes);

        assertEquals("agent-7", print.getSpeakerId());
        assertEquals("Ana", print.getDisplayName());
        assertEquals(java.util.List.of(java.util.List.of(0.6f, 0.8f), java.util.List.of(1.0f, 0.0f)), print.getEmbeddings());
        assertEquals(21.5, print.getSpeechSeconds());
    }
}
