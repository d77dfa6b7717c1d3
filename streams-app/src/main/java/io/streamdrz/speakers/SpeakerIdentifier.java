package io.streamdrz.speakers;

import io.streamdrz.inference.IdentifySpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Open-set identification of a call's speakers: which call labels are enrolled speakers,
 * and which are nobody we know. The Python twin is the scoring of
 * {@code models/identify_eval.py}, which measured the threshold.
 *
 * <p>A call label's voice is its voice profile (the sum of the unit voice embeddings of
 * the frames where it alone spoke, which the streaming recipe keeps per speaker); it is
 * compared by cosine with each candidate's print. The rule, after every chunk:
 * <ol>
 *   <li>a label with less than {@code minFrames} frames of voice is not judged: it keeps
 *       what it had;</li>
 *   <li>a label already named keeps its name while its cosine with that print stays at
 *       least {@code threshold - hysteresis}, unless another print beats it by
 *       {@code hysteresis} and passes the threshold: the evidence must turn clearly against
 *       an identity before the label changes;</li>
 *   <li>otherwise it takes the best print at or above {@code threshold}, or none;</li>
 *   <li>one enrolled speaker names at most one label: the kept names first, then the
 *       highest cosines.</li>
 * </ol>
 * A print deleted from the candidates (a tombstone) takes its name off every label at once.
 * Stateless and thread-safe: the previous decision is passed in.
 */
public final class SpeakerIdentifier {

    /** A call label's voice: the sum of its frames' unit embeddings and how many. */
    public record Voice(int label, double[] profile, int frames) {
    }

    /** A call label identified as an enrolled speaker, with the cosine at the decision. */
    public record Identity(int label, String speakerId, String name, double score) {
    }

    private final IdentifySpec spec;

    /** @param spec the model contract's {@link IdentifySpec}, or that with an operator's threshold */
    public SpeakerIdentifier(IdentifySpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    public IdentifySpec spec() {
        return spec;
    }

    /**
     * @param voices     the call's labels with their voice profiles
     * @param candidates the enrolled voices this call may hold (of this model)
     * @param previous   the identities after the previous chunk
     * @return the identities now, by label ascending
     */
    public List<Identity> identify(List<Voice> voices, List<EnrolledVoice> candidates, List<Identity> previous) {
        Map<String, EnrolledVoice> byId = new HashMap<>();
        for (EnrolledVoice c : candidates) {
            byId.put(c.speakerId(), c);
        }
        List<Identity> kept = new ArrayList<>();
        List<Identity> proposed = new ArrayList<>();
        Set<Integer> judged = new HashSet<>();
        for (Voice v : voices) {
            if (v.profile() == null || v.frames() < spec.minFrames()) {
                continue;
            }
            judged.add(v.label());
            Identity old = find(previous, v.label());
            Identity best = null;
            Identity stay = null;
            for (EnrolledVoice c : candidates) {
                double score = Vectors.cosine(v.profile(), c.voice());
                Identity here = new Identity(v.label(), c.speakerId(), c.name(), score);
                if (old != null && old.speakerId().equals(c.speakerId())) {
                    stay = here;
                }
                if (best == null || score > best.score()) {
                    best = here;
                }
            }
            double threshold = spec.threshold();
            double hysteresis = spec.hysteresis();
            if (stay != null && stay.score() >= threshold - hysteresis
                    && !(best.score() >= threshold && best.score() > stay.score() + hysteresis)) {
                kept.add(stay);
            } else if (best != null && best.score() >= threshold) {
                proposed.add(best);
            }
        }
        for (Identity old : previous) {   // not judged this time: no evidence against it
            if (!judged.contains(old.label()) && byId.containsKey(old.speakerId())) {
                EnrolledVoice c = byId.get(old.speakerId());
                kept.add(new Identity(old.label(), c.speakerId(), c.name(), old.score()));
            }
        }
        kept.sort(Comparator.comparingDouble(Identity::score).reversed());
        proposed.sort(Comparator.comparingDouble(Identity::score).reversed());
        List<Identity> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        Set<Integer> named = new HashSet<>();
        for (List<Identity> round : List.of(kept, proposed)) {
            for (Identity i : round) {
                if (!taken.contains(i.speakerId()) && !named.contains(i.label())) {
                    taken.add(i.speakerId());
                    named.add(i.label());
                    out.add(i);
                }
            }
        }
        out.sort(Comparator.comparingInt(Identity::label));
        return out;
    }

    private static Identity find(List<Identity> identities, int label) {
        for (Identity i : identities) {
            if (i.label() == label) {
                return i;
            }
        }
        return null;
    }
}
