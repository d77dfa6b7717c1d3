package io.streamdrz.speakers;

import io.streamdrz.schema.AudioFrame;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a producer may say about a call before the app has heard it (AudioFrame v3):
 * how many speakers to expect, which becomes the call's speaker cap, and which enrolled
 * speakers to expect, which become the only candidates of identification.
 *
 * @param expectedSpeakers   the call's speaker cap, or null for the app's
 *                           ({@code streamdrz.call.max.speakers})
 * @param expectedSpeakerIds enrolled speaker ids; empty: every enrolled speaker
 */
public record CallHints(Integer expectedSpeakers, List<String> expectedSpeakerIds) {

    /** More is not a phone call or a bridge the model can tell apart; a value beyond is a producer's bug. */
    public static final int MAX_EXPECTED_SPEAKERS = 64;
    /** More expected enrolled speakers than any call can hold is a producer's bug. */
    public static final int MAX_EXPECTED_IDS = 16;
    /** Longer than a Kafka key should be. */
    public static final int MAX_ID_LENGTH = 256;

    public static final CallHints NONE = new CallHints(null, List.of());

    public CallHints {
        expectedSpeakerIds = expectedSpeakerIds == null ? List.of() : List.copyOf(expectedSpeakerIds);
    }

    /** The hints a frame carries (fields null in frames of versions 1 and 2). */
    public static CallHints of(AudioFrame frame) {
        return new CallHints(frame.getExpectedSpeakers(), frame.getExpectedSpeakerIds());
    }

    public boolean isEmpty() {
        return expectedSpeakers == null && expectedSpeakerIds.isEmpty();
    }

    /** Why these hints cannot be used, in one sentence, or null if they can. */
    public String problem() {
        if (expectedSpeakers != null && (expectedSpeakers < 1 || expectedSpeakers > MAX_EXPECTED_SPEAKERS)) {
            return "expectedSpeakers is " + expectedSpeakers + "; a call has 1.." + MAX_EXPECTED_SPEAKERS + " speakers";
        }
        if (expectedSpeakerIds.size() > MAX_EXPECTED_IDS) {
            return "expectedSpeakerIds names " + expectedSpeakerIds.size() + " speakers; at most " + MAX_EXPECTED_IDS;
        }
        if (expectedSpeakers != null && expectedSpeakerIds.size() > expectedSpeakers) {
            return "expectedSpeakerIds names " + expectedSpeakerIds.size() + " speakers but expectedSpeakers is "
                    + expectedSpeakers;
        }
        Set<String> seen = new HashSet<>();
        for (String id : expectedSpeakerIds) {
            if (id.isBlank()) {
                return "expectedSpeakerIds holds an empty id";
            }
            if (id.length() > MAX_ID_LENGTH) {
                return "expectedSpeakerIds holds an id of " + id.length() + " characters; at most " + MAX_ID_LENGTH;
            }
            if (!seen.add(id)) {
                return "expectedSpeakerIds names '" + id + "' twice";
            }
        }
        return null;
    }
}
