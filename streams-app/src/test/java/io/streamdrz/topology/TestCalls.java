package io.streamdrz.topology;

import io.streamdrz.client.FrameEncoding;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.schema.SpeakerSegment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Synthetic calls for {@link FakeInference}: loudness scripts, their frames, and the segments they should give. */
final class TestCalls {

    private static final AudioFrameSerde SERDE = new AudioFrameSerde();

    private TestCalls() {
    }

    /**
     * Audio for a script of {@code "voice:milliseconds"} parts (voice 0 is silence) at {@code rate}.
     */
    static float[] audio(int rate, String... script) {
        List<Float> samples = new ArrayList<>();
        for (String part : script) {
            String[] vm = part.split(":");
            float level = Integer.parseInt(vm[0]) / 10f;
            long n = Long.parseLong(vm[1]) * rate / 1000;
            for (long i = 0; i < n; i++) {
                samples.add(level);
            }
        }
        float[] out = new float[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = samples.get(i);
        }
        return out;
    }

    /** The segments a script should yield: its voice runs, labelled A, B, ... by first appearance. */
    static List<Seg> expected(String... script) {
        Map<String, String> labels = new LinkedHashMap<>();
        List<Seg> out = new ArrayList<>();
        long t = 0;
        for (String part : script) {
            String[] vm = part.split(":");
            long ms = Long.parseLong(vm[1]);
            if (!vm[0].equals("0")) {
                String label = labels.computeIfAbsent(vm[0], v -> io.streamdrz.recipe.CallSegment.speakerName(labels.size()));
                Seg last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && last.speaker().equals(label) && last.endMs() == t) {
                    out.set(out.size() - 1, new Seg(label, last.startMs(), t + ms));
                } else {
                    out.add(new Seg(label, t, t + ms));
                }
            }
            t += ms;
        }
        return out;
    }

    /** The audio cut into frames of {@code frameMs}, numbered from {@code firstSequence}; the last one ends the stream. */
    static List<AudioFrame> frames(String callId, float[] audio, int rate, AudioEncoding encoding, int channels,
                                   int frameMs, long firstSequence) {
        int perFrame = rate * frameMs / 1000;
        List<AudioFrame> frames = new ArrayList<>();
        long seq = firstSequence;
        for (int offset = 0; offset < audio.length; offset += perFrame, seq++) {
            int n = Math.min(perFrame, audio.length - offset);
            frames.add(AudioFrame.newBuilder()
                    .setCallId(callId)
                    .setSequenceNumber(seq)
                    .setSampleRate(rate)
                    .setChannels(channels)
                    .setEncoding(encoding)
                    .setPayload(FrameEncoding.encode(audio, offset, n, encoding, channels))
                    .setEndOfStream(offset + n >= audio.length)
                    .build());
        }
        return frames;
    }

    /** 16 kHz PCM16 mono frames of 20 ms. */
    static List<AudioFrame> frames(String callId, String... script) {
        return frames(callId, audio(16_000, script), 16_000, AudioEncoding.PCM_S16LE, 1, 20, 0);
    }

    static AudioFrame withSequence(AudioFrame frame, long seq) {
        return AudioFrame.newBuilder(frame).setSequenceNumber(seq).build();
    }

    static AudioFrame withEndOfStream(AudioFrame frame, boolean eos) {
        return AudioFrame.newBuilder(frame).setEndOfStream(eos).build();
    }

    static byte[] bytes(AudioFrame frame) {
        return SERDE.serialize("audio-in", frame);
    }

    /** A segment as the tests compare them: speaker and times. */
    record Seg(String speaker, long startMs, long endMs) {
        static Seg of(SpeakerSegment s) {
            return new Seg(s.getSpeaker(), s.getStartMs(), s.getEndMs());
        }
    }
}
