package io.streamdrz.topology;

import java.time.Duration;

/**
 * Live labels ({@link LiveLabeler}): whether each call's newest audio is diarized as it
 * comes, how often, and where the provisional segments go.
 *
 * @param enabled whether to write live labels at all ({@code streamdrz.live.enabled}); off:
 *                final segments only, as before live labels existed
 * @param topic   where provisional segments go ({@code streamdrz.topic.segments.live})
 * @param hop     how much new audio of a call starts a live window ({@code streamdrz.live.hop.ms})
 */
public record LiveConfig(boolean enabled, String topic, Duration hop) {

    /** The defaults of the {@code streamdrz.live.*} settings: off. */
    public static final LiveConfig OFF = new LiveConfig(false, "segments-live", Duration.ofSeconds(1));

    public LiveConfig {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the live segments topic must be named");
        }
        if (hop == null || hop.isNegative() || hop.isZero()) {
            throw new IllegalArgumentException("the live hop must be positive, not " + hop);
        }
    }

    /** Live labels on, every {@code hop}, to {@code topic}. */
    public static LiveConfig every(Duration hop, String topic) {
        return new LiveConfig(true, topic, hop);
    }
}
