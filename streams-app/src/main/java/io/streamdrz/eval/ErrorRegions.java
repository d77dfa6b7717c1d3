package io.streamdrz.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where a hypothesis goes wrong, for drawing: the stretches of missed speech, false
 * alarm and speaker confusion, counted as DER counts them (overlap scored, no collar)
 * under a given reference-to-hypothesis speaker mapping.
 */
public final class ErrorRegions {

    /** The three kinds of DER error. */
    public enum Kind { MISSED, FALSE_ALARM, CONFUSION }

    /** One stretch of one kind of error, in seconds. */
    public record Region(Kind kind, double start, double end) {
    }

    private ErrorRegions() {
    }

    /**
     * @param mapping reference speaker -> hypothesis speaker (as {@link DerResult#mapping()})
     * @return the regions in time order per kind, adjacent stretches of a kind joined
     */
    public static List<Region> of(List<SpeakerTurn> ref, List<SpeakerTurn> hyp, Map<String, String> mapping) {
        TreeSet<Double> cuts = new TreeSet<>();
        for (List<SpeakerTurn> turns : List.of(ref, hyp)) {
            for (SpeakerTurn t : turns) {
                cuts.add(t.start());
                cuts.add(t.end());
            }
        }
        List<Region> regions = new ArrayList<>();
        Double previous = null;
        for (double cut : cuts) {
            if (previous != null) {
                for (Kind kind : errorsAt((previous + cut) / 2, ref, hyp, mapping)) {
                    add(regions, new Region(kind, previous, cut));
                }
            }
            previous = cut;
        }
        regions.sort((a, b) -> a.kind() != b.kind() ? a.kind().compareTo(b.kind()) : Double.compare(a.start(), b.start()));
        return regions;
    }

    /** The kinds of error at instant {@code t} (inside one elementary stretch). */
    private static Set<Kind> errorsAt(double t, List<SpeakerTurn> ref, List<SpeakerTurn> hyp,
                                      Map<String, String> mapping) {
        Set<String> refSpeakers = speakingAt(t, ref);
        Set<String> hypSpeakers = speakingAt(t, hyp);
        int correct = 0;
        for (String r : refSpeakers) {
            if (mapping.containsKey(r) && hypSpeakers.contains(mapping.get(r))) {
                correct++;
            }
        }
        Set<Kind> kinds = new TreeSet<>();
        if (refSpeakers.size() > hypSpeakers.size()) {
            kinds.add(Kind.MISSED);
        }
        if (hypSpeakers.size() > refSpeakers.size()) {
            kinds.add(Kind.FALSE_ALARM);
        }
        if (Math.min(refSpeakers.size(), hypSpeakers.size()) > correct) {
            kinds.add(Kind.CONFUSION);
        }
        return kinds;
    }

    private static Set<String> speakingAt(double t, List<SpeakerTurn> turns) {
        Set<String> speakers = new TreeSet<>();
        for (SpeakerTurn turn : turns) {
            if (turn.start() <= t && t < turn.end()) {
                speakers.add(turn.speaker());
            }
        }
        return speakers;
    }

    /** Appends {@code region}, joined to the last region of its kind when they touch. */
    private static void add(List<Region> regions, Region region) {
        for (int i = regions.size() - 1; i >= 0; i--) {
            Region last = regions.get(i);
            if (last.kind() == region.kind()) {
                if (last.end() == region.start()) {
                    regions.set(i, new Region(last.kind(), last.start(), region.end()));
                    return;
                }
                break;
            }
        }
        regions.add(region);
    }
}
