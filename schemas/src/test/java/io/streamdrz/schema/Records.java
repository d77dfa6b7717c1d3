package io.streamdrz.schema;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Sample records for the schema tests. */
final class Records {

    private Records() {
    }

    /** 20 ms of a 440 Hz tone at 8 kHz, PCM s16le: a realistic frame payload. */
    static ByteBuffer tone20ms() {
        ByteBuffer pcm = ByteBuffer.allocate(160 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 160; i++) {
            pcm.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / 8000.0)));
        }
        return pcm.flip();
    }

    static AudioFrame audioFrame(Long producerTimestampMs) {
        return AudioFrame.newBuilder()
                .setCallId("call-42")
                .setSequenceNumber(7L)
                .setSampleRate(8000)
                .setChannels(1)
                .setEncoding(AudioEncoding.PCM_S16LE)
                .setPayload(tone20ms())
                .setEndOfStream(false)
                .setProducerTimestampMs(producerTimestampMs)
                .build();
    }

    static SpeakerSegment speakerSegment() {
        return SpeakerSegment.newBuilder()
                .setCallId("call-42")
                .setSpeaker("B")
                .setStartMs(1_250L)
                .setEndMs(4_800L)
                .setConfidence(0.875f)
                .setChunkIndex(3)
                .setModelId("drz-tiny-2026-11")
                .build();
    }

    /** What segments-live carries: the second live window of call-42, final through 3 s. */
    static SpeakerSegment provisionalSegment() {
        return SpeakerSegment.newBuilder(speakerSegment())
                .setSpeakerId("agent-7")
                .setSpeakerName("Ana")
                .setStatus(SegmentStatus.PROVISIONAL)
                .setRevision(2)
                .setFinalThroughMs(3_000L)
                .build();
    }
}
