package io.streamdrz.topology;

import io.streamdrz.client.FrameEncoding;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of malformed and adversarial audio-in records for {@link FrameFuzzTest}:
 * each case is one call's records, as a producer with bugs, a broken network or an attacker
 * could send them. The same seed gives the same cases, so a failure can be replayed by name.
 */
final class AdversarialFrames {

    /**
     * One call's records.
     *
     * @param mustInclude dead-letter reasons the case must produce (each at least once)
     * @param oneOf       for a single malformed record: the reasons it may be dead-lettered with; empty:
     *                    whatever the app decides, as long as it is accounted for
     */
    record Case(String name, String callId, List<Sent> records, List<String> mustInclude, List<String> oneOf) {

        Case(String name, String callId, List<Sent> records, List<String> mustInclude) {
            this(name, callId, records, mustInclude, List.of());
        }
    }

    /** A record as sent: key and value bytes (either may be null). */
    record Sent(byte[] key, byte[] value) {
    }

    private static final String[] UNDECODABLE = {"NOT_SINGLE_OBJECT", "TRUNCATED", "UNKNOWN_FINGERPRINT", "MALFORMED"};
    private static final AudioEncoding[] ENCODINGS = AudioEncoding.values();
    private static final int[] RATES = {4_000, 7_919, 8_000, 11_025, 16_000, 22_050, 44_100, 48_000, 192_000};

    private final Random random;

    AdversarialFrames(long seed) {
        this.random = new Random(seed);
    }

    /** The four defects of issue #22, by name, each a complete case. */
    static List<Case> defects() {
        List<Case> out = new ArrayList<>();
        out.add(new Case("defect-1-ninth-speaker", "defect-1", records(speakerTurns("defect-1", 12, 600, 100)), List.of()));
        out.add(new Case("defect-2-extreme-sequence-numbers", "defect-2", records(concat(
                renumber(voice("defect-2", 5, 9), Long.MIN_VALUE), renumber(voice("defect-2", 5, 9), Long.MAX_VALUE - 8))),
                List.of("SEQUENCE_OVERFLOW")));
        out.add(new Case("defect-3-huge-jump", "defect-3", records(concat(renumber(voice("defect-3", 5, 9), 0),
                renumber(voice("defect-3", 5, 9), 9 + Long.MAX_VALUE / 320 + 1))), List.of("GAP_TOO_LARGE")));
        List<AudioFrame> wrapping = concat(renumber(voice("defect-4", 5, 20), Long.MAX_VALUE - 19),
                renumber(voice("defect-4", 5, 5), Long.MIN_VALUE));
        wrapping.set(wrapping.size() - 1, TestCalls.withEndOfStream(wrapping.get(wrapping.size() - 1), true));
        out.add(new Case("defect-4-wrap-around", "defect-4", records(wrapping), List.of("SEQUENCE_OVERFLOW", "LATE_FRAME")));
        out.add(new Case("largest-frames", "largest", records(largestFrames("largest")), List.of()));
        return out;
    }

    /** Frames at the payload limit in the most compact encoding: 16 s of 8 kHz mu-law each. */
    private static List<AudioFrame> largestFrames(String id) {
        int bytes = TopologyConfig.builder().build().frameMaxBytes();
        List<AudioFrame> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(AudioFrame.newBuilder().setCallId(id).setSequenceNumber(i).setSampleRate(8_000).setChannels(1)
                    .setEncoding(AudioEncoding.MULAW).setPayload(ByteBuffer.wrap(new byte[bytes]))
                    .setEndOfStream(i == 2).build());
        }
        return out;
    }

    /** The next random case. */
    Case next(int index) {
        String id = "fuzz-" + index;
        int kind = random.nextInt(40) == 0 ? 9 : random.nextInt(9);     // many speakers: rarer, as they are long
        return switch (kind) {
            case 0 -> new Case(id + "-ordinary", id, records(call(id)), List.of());
            case 1 -> new Case(id + "-reordered", id, records(reordered(call(id))), List.of());
            case 2 -> new Case(id + "-duplicated", id, records(duplicated(call(id))), List.of());
            case 3 -> new Case(id + "-gaps", id, records(withGaps(call(id))), List.of());
            case 4 -> new Case(id + "-random-sequence-numbers", id, records(randomSequences(call(id))), List.of());
            case 5 -> new Case(id + "-misplaced-end-of-stream", id, records(misplacedEnds(call(id))), List.of());
            case 6 -> malformed(id);
            case 7 -> new Case(id + "-format-changes", id, records(formatChanges(call(id))), List.of());
            case 8 -> new Case(id + "-jump", id, records(jump(call(id))), List.of());
            default -> new Case(id + "-many-speakers", id,
                    records(speakerTurns(id, 5 + random.nextInt(8), 200 + random.nextInt(400), 100)), List.of());
        };
    }

    /** A short call in a random format and frame length, numbered from a random start; the last frame ends it. */
    private List<AudioFrame> call(String id) {
        // Mostly telephone rates; the others cost a resampler each chunk, and a few of them find as much.
        int rate = random.nextInt(4) == 0 ? RATES[random.nextInt(RATES.length)] : random.nextBoolean() ? 8_000 : 16_000;
        AudioEncoding encoding = ENCODINGS[random.nextInt(ENCODINGS.length)];
        int channels = 1 + random.nextInt(2);
        int frameMs = 20 + random.nextInt(81);
        String[] script = {(1 + random.nextInt(9)) + ":" + (100 + random.nextInt(500)), "0:" + random.nextInt(200),
                (1 + random.nextInt(9)) + ":" + random.nextInt(500)};
        long first = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(1000);
        List<AudioFrame> frames = TestCalls.frames(id, TestCalls.audio(rate, script), rate, encoding, channels, frameMs, 0);
        return renumber(frames, first);
    }

    private List<AudioFrame> reordered(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>(frames);
        int span = 2 + random.nextInt(14);                // sometimes beyond the reorder window of 8
        for (int i = 0; i + span <= out.size(); i += span) {
            Collections.shuffle(out.subList(i, i + span), random);
        }
        return out;
    }

    private List<AudioFrame> duplicated(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>();
        for (AudioFrame f : frames) {
            out.add(f);
            while (random.nextInt(4) == 0) {
                out.add(random.nextBoolean() ? f : frames.get(random.nextInt(frames.size())));
            }
        }
        return out;
    }

    private List<AudioFrame> withGaps(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>(frames);
        for (int gaps = random.nextInt(4); gaps > 0 && out.size() > 2; gaps--) {
            int from = random.nextInt(out.size() - 1);
            out.subList(from, Math.min(out.size() - 1, from + 1 + random.nextInt(150))).clear();
        }
        return out;
    }

    private List<AudioFrame> randomSequences(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>();
        for (AudioFrame f : frames) {
            long seq = switch (random.nextInt(4)) {
                case 0 -> random.nextLong();
                case 1 -> Long.MAX_VALUE - random.nextInt(20);
                case 2 -> Long.MIN_VALUE + random.nextInt(20);
                default -> f.getSequenceNumber();
            };
            out.add(TestCalls.withSequence(f, seq));
        }
        return out;
    }

    private List<AudioFrame> misplacedEnds(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>(frames);
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            int at = random.nextInt(out.size());
            out.set(at, TestCalls.withEndOfStream(out.get(at), true));
        }
        if (random.nextBoolean()) {
            out.set(out.size() - 1, TestCalls.withEndOfStream(out.get(out.size() - 1), false));   // never ends: idles out
        }
        return out;
    }

    /** Frames whose rate, encoding or channels change mid-call, and empty payloads. */
    private List<AudioFrame> formatChanges(List<AudioFrame> frames) {
        List<AudioFrame> out = new ArrayList<>();
        for (AudioFrame f : frames) {
            AudioFrame.Builder b = AudioFrame.newBuilder(f);
            switch (random.nextInt(8)) {
                case 0 -> b.setSampleRate(RATES[random.nextInt(RATES.length)]);
                case 1 -> b.setEncoding(ENCODINGS[random.nextInt(ENCODINGS.length)]);
                case 2 -> b.setChannels(1 + random.nextInt(8));
                case 3 -> b.setPayload(ByteBuffer.allocate(0));
                default -> { }
            }
            out.add(b.build());
        }
        return out;
    }

    /** Frames in order up to a point, then a jump forward of any size, even one that overflows as samples. */
    private List<AudioFrame> jump(List<AudioFrame> frames) {
        int at = random.nextInt(frames.size());
        long jump = switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(200);
            case 1 -> 1L << (20 + random.nextInt(43));
            case 2 -> Long.MAX_VALUE / (1 + random.nextInt(1000)) + 1;
            default -> Long.MAX_VALUE - frames.get(at).getSequenceNumber() - random.nextInt(3);
        };
        List<AudioFrame> out = new ArrayList<>(frames.subList(0, at));
        for (AudioFrame f : frames.subList(at, frames.size())) {
            out.add(TestCalls.withSequence(f, f.getSequenceNumber() + jump));   // may wrap around: also a case
        }
        return out;
    }

    private Case malformed(String id) {
        AudioFrame good = call(id).get(0);
        byte[] bytes = TestCalls.bytes(TestCalls.withEndOfStream(good, false));
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(9)) {
            case 0 -> bad(id, "garbage", key, randomBytes(random.nextInt(200)), UNDECODABLE);
            case 1 -> bad(id, "truncated", key, Arrays.copyOf(bytes, random.nextInt(bytes.length)), UNDECODABLE);
            case 2 -> bad(id, "no-value", key, null, "NULL_VALUE");
            case 3 -> bad(id, "no-key", null, bytes, "KEY_MISMATCH");
            case 4 -> bad(id, "wrong-key", "other".getBytes(StandardCharsets.UTF_8), bytes, "KEY_MISMATCH");
            case 5 -> bad(id, "odd-payload", key, TestCalls.bytes(AudioFrame.newBuilder(good)
                    .setEncoding(AudioEncoding.PCM_F32LE).setChannels(1).setPayload(ByteBuffer.wrap(new byte[7])).build()),
                    "BAD_PAYLOAD");
            case 6 -> bad(id, "not-finite", key, TestCalls.bytes(AudioFrame.newBuilder(good).setEncoding(AudioEncoding.PCM_F32LE)
                    .setChannels(1).setPayload(FrameEncoding.encode(new float[]{0.1f, Float.NaN}, 0, 2,
                            AudioEncoding.PCM_F32LE, 1)).build()), "BAD_PAYLOAD");
            case 7 -> bad(id, "unsupported-rate", key, TestCalls.bytes(AudioFrame.newBuilder(good)
                    .setSampleRate(random.nextBoolean() ? random.nextInt(4_000) - 10 : 192_001 + random.nextInt(1 << 20))
                    .build()), "UNSUPPORTED_FORMAT");
            default -> bad(id, "flipped-bytes", key, flipped(bytes));
        };
    }

    /** A malformed record; {@code reasons}: the reasons it may get (none given: any, or none if it still decodes). */
    private static Case bad(String id, String what, byte[] key, byte[] value, String... reasons) {
        List<String> oneOf = List.of(reasons);
        return new Case(id + "-malformed-" + what, id, List.of(new Sent(key, value)), List.of(), oneOf);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] flipped(byte[] bytes) {
        byte[] out = bytes.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    /** {@code voices} speakers taking turns of {@code turnMs} twice over (16 kHz PCM), so each returns. */
    static List<AudioFrame> speakerTurns(String id, int voices, int turnMs, int frameMs) {
        List<String> script = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int v = 0; v < voices; v++) {
                script.add((v % 9 + 1) + ":" + turnMs);
                script.add("0:" + (v < 9 ? 100 : 300));     // voices beyond 9 differ by pause: the fake hears 9 levels
            }
        }
        float[] audio = TestCalls.audio(16_000, script.toArray(String[]::new));
        return TestCalls.frames(id, audio, 16_000, AudioEncoding.PCM_S16LE, 1, frameMs, 0);
    }

    private static List<AudioFrame> voice(String id, int voice, int frames) {
        List<AudioFrame> out = new ArrayList<>();
        for (AudioFrame f : TestCalls.frames(id, voice + ":" + frames * 20).subList(0, frames)) {
            out.add(TestCalls.withEndOfStream(f, false));
        }
        return out;
    }

    private static List<AudioFrame> renumber(List<AudioFrame> frames, long first) {
        List<AudioFrame> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            out.add(TestCalls.withSequence(frames.get(i), first + i));
        }
        return out;
    }

    private static List<AudioFrame> concat(List<AudioFrame> a, List<AudioFrame> b) {
        List<AudioFrame> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<Sent> records(List<AudioFrame> frames) {
        List<Sent> out = new ArrayList<>();
        for (AudioFrame f : frames) {
            out.add(new Sent(f.getCallId().getBytes(StandardCharsets.UTF_8), TestCalls.bytes(f)));
        }
        return out;
    }
}
