package io.streamdrz.cli;

import io.streamdrz.client.SegmentReader;
import io.streamdrz.schema.SpeakerSegment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's live view: who is talking now in each call, from the PROVISIONAL segments
 * on segments-live. They come about a hop after the audio, chunks before the final
 * segments of the same audio, so this is what a live dashboard would show.
 *
 * <p>A call's current speaker is the one of its latest-ending provisional segment.
 * Segments that end earlier (a window relabelling older audio, or a replay after a
 * restart) do not move it back in time.
 */
final class LiveSpeakers {

    /** A call's current speaker: talking from {@code fromMs} and labelled up to {@code toMs}. */
    private record Turn(String speaker, long fromMs, long toMs) {
    }

    private final boolean withCallId;
    private final Map<String, Turn> calls = new TreeMap<>();

    LiveSpeakers(boolean withCallId) {
        this.withCallId = withCallId;
    }

    /**
     * Takes a provisional segment in.
     *
     * @return a line that says who now talks, when the call's speaker changed with it; else null
     */
    synchronized String heard(SegmentReader.Segment s) {
        SpeakerSegment seg = s.segment();
        Turn now = calls.get(s.callId());
        if (now != null && seg.getEndMs() < now.toMs()) {
            return null;
        }
        if (now != null && now.speaker().equals(seg.getSpeaker())) {
            calls.put(s.callId(), new Turn(now.speaker(), now.fromMs(), seg.getEndMs()));
            return null;
        }
        Turn turn = new Turn(seg.getSpeaker(), seg.getStartMs(), seg.getEndMs());
        calls.put(s.callId(), turn);
        return String.format(Locale.ROOT, "live: %s%s from %.2f s", prefix(s.callId()), turn.speaker(),
                turn.fromMs() / 1000.0);
    }

    /** The call's live segments have ended: it no longer has a current speaker. */
    synchronized void ended(String callId) {
        calls.remove(callId);
    }

    /** Every call's current speaker on one line, e.g. {@code live: A at 12.3 s}; empty before any is heard. */
    synchronized String line() {
        if (calls.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        calls.forEach((callId, turn) -> parts.add(String.format(Locale.ROOT, "%s%s at %.1f s", prefix(callId),
                turn.speaker(), turn.toMs() / 1000.0)));
        return "live: " + String.join(", ", parts);
    }

    private String prefix(String callId) {
        return withCallId ? callId + " " : "";
    }
}
