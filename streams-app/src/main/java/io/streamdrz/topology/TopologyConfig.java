package io.streamdrz.topology;

import java.time.Duration;

/**
 * Everything {@link DiarizationTopology#build} needs to know besides the engine:
 * topic names and the rules for frames as they really arrive. Immutable; start from
 * {@link #builder()}, whose defaults are those of the {@code streamdrz.*} settings.
 *
 * @param audioInTopic     where frames come from ({@code streamdrz.topic.audio.in})
 * @param segmentsOutTopic where segments go ({@code streamdrz.topic.segments.out})
 * @param deadLetterTopic  where unusable frames go ({@code streamdrz.topic.dead.letter})
 * @param reorderWindow    frames a call may have waiting behind a missing one before the missing one is
 *                         declared lost ({@code streamdrz.frames.reorder.window})
 * @param gapFillMax       the longest run of lost frames filled with silence; a longer one closes the call
 *                         ({@code streamdrz.frames.gap.fill.max.ms})
 * @param idleTimeout      a call without frames for this long (wall clock) is finished
 *                         ({@code streamdrz.call.idle.timeout.ms})
 * @param idleCheckInterval how often idle calls are looked for ({@code streamdrz.call.idle.check.interval.ms})
 * @param closedRetention  how long a finished call is remembered, so that its late frames are
 *                         dead-lettered instead of starting a new call ({@code streamdrz.call.closed.retention.ms})
 * @param frameMaxBytes    the largest payload accepted ({@code streamdrz.limits.frame.max.bytes})
 * @param callMax          the longest call; audio beyond closes it ({@code streamdrz.limits.call.max.ms})
 * @param bufferMax        the most audio one call may hold before inference: the unfinished chunk plus
 *                         frames waiting out of order ({@code streamdrz.limits.buffer.max.ms})
 * @param segmentsRevisedTopic where each call's segments go once more when it ends, with labels decided
 *                         over the whole call ({@code streamdrz.topic.segments.revised}); null: not written
 *                         ({@code streamdrz.revised.enabled=false})
 */
public record TopologyConfig(String audioInTopic, String segmentsOutTopic, String deadLetterTopic,
                             int reorderWindow, Duration gapFillMax, Duration idleTimeout,
                             Duration idleCheckInterval, Duration closedRetention, int frameMaxBytes,
                             Duration callMax, Duration bufferMax, String segmentsRevisedTopic) {

    /** Sample rates the app converts to the model's rate (inclusive). */
    public static final int MIN_SAMPLE_RATE = 4_000;
    public static final int MAX_SAMPLE_RATE = 192_000;
    /** Channel counts the app downmixes (inclusive). */
    public static final int MAX_CHANNELS = 8;

    public TopologyConfig {
        requireName(audioInTopic, "audio-in topic");
        requireName(segmentsOutTopic, "segments-out topic");
        requireName(deadLetterTopic, "dead-letter topic");
        if (reorderWindow < 0) {
            throw new IllegalArgumentException("reorder window must be >= 0 frames, not " + reorderWindow);
        }
        requireNonNegative(gapFillMax, "gap fill maximum");
        requirePositive(idleTimeout, "idle timeout");
        requirePositive(idleCheckInterval, "idle check interval");
        requireNonNegative(closedRetention, "closed call retention");
        if (frameMaxBytes <= 0) {
            throw new IllegalArgumentException("frame payload limit must be positive, not " + frameMaxBytes);
        }
        requirePositive(callMax, "call length limit");
        requirePositive(bufferMax, "buffer limit");
        if (segmentsRevisedTopic != null) {
            requireName(segmentsRevisedTopic, "revised segments topic");
        }
    }

    /** Whether each call's segments go to {@link #segmentsRevisedTopic} once more when it ends. */
    public boolean revised() {
        return segmentsRevisedTopic != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void requireName(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " must be named");
        }
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, not " + d);
        }
    }

    private static void requireNonNegative(Duration d, String what) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, not " + d);
        }
    }

    /** Builds a {@link TopologyConfig}; every setting starts at its documented default. */
    public static final class Builder {
        private String audioInTopic = "audio-in";
        private String segmentsOutTopic = "segments-out";
        private String deadLetterTopic = "audio-in-dlq";
        private int reorderWindow = 8;
        private Duration gapFillMax = Duration.ofSeconds(2);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration idleCheckInterval = Duration.ofSeconds(1);
        private Duration closedRetention = Duration.ofMinutes(10);
        private int frameMaxBytes = 128 * 1024;
        private Duration callMax = Duration.ofHours(4);
        private Duration bufferMax = Duration.ofSeconds(30);
        private String segmentsRevisedTopic = "segments-revised";

        private Builder() {
        }

        public Builder audioInTopic(String topic) {
            this.audioInTopic = topic;
            return this;
        }

        public Builder segmentsOutTopic(String topic) {
            this.segmentsOutTopic = topic;
            return this;
        }

        public Builder deadLetterTopic(String topic) {
            this.deadLetterTopic = topic;
            return this;
        }

        public Builder reorderWindow(int frames) {
            this.reorderWindow = frames;
            return this;
        }

        public Builder gapFillMax(Duration d) {
            this.gapFillMax = d;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder idleCheckInterval(Duration d) {
            this.idleCheckInterval = d;
            return this;
        }

        public Builder closedRetention(Duration d) {
            this.closedRetention = d;
            return this;
        }

        public Builder frameMaxBytes(int bytes) {
            this.frameMaxBytes = bytes;
            return this;
        }

        public Builder callMax(Duration d) {
            this.callMax = d;
            return this;
        }

        public Builder bufferMax(Duration d) {
            this.bufferMax = d;
            return this;
        }

        /** null: no revised segments. */
        public Builder segmentsRevisedTopic(String topic) {
            this.segmentsRevisedTopic = topic;
            return this;
        }

        public TopologyConfig build() {
            return new TopologyConfig(audioInTopic, segmentsOutTopic, deadLetterTopic, reorderWindow, gapFillMax,
                    idleTimeout, idleCheckInterval, closedRetention, frameMaxBytes, callMax, bufferMax,
                    segmentsRevisedTopic);
        }
    }
}
