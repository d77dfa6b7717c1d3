package io.streamdrz.topology;

import java.time.Duration;

/**
 * Live labels ({@link LiveLabeler}): how often each call's newest audio is diarized, and
 * where the provisional segments go.
 *
 * @param topic where provisional segments go ({@code streamdrz.topic.segments.live})
 * @param hop   how much new audio of a call starts a live window ({@code streamdrz.live.hop.ms});
 *              zero turns live labels off: final segments only, as before live labels existed
 */
public record LiveConfig(String topic, Duration hop) {

    /** Live labels off. */
    public static final LiveConfig OFF = new LiveConfig("segments-live", Duration.ZERO);

    public LiveConfig {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("the live segments topic must be named");
        }
        if (hop == null || hop.isNegative()) {
            throw new IllegalArgumentException("the live hop must not be negative, not " + hop);
        }
    }

    public boolean enabled() {
        return !hop.isZero();
    }
}
