package io.streamdrz.speakers;

import io.streamdrz.inference.IdentifySpec;

import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.VoiceEmbedder.LabelVoice;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Clean recordings of one person become a {@link Voiceprint}: one unit embedding per
 * recording (the whole recording's voice, {@link VoiceEmbedder#wholeVoice}), the seconds
 * of speech they rest on, the model's id.
 *
 * <p>Refused, each with a sentence that says why and what to do:
 * <ul>
 *   <li>a recording where the recipe hears less than {@link #MIN_SECONDS} of one voice alone:
 *       too little to identify anyone by;</li>
 *   <li>a recording with two labels of at least {@code minFrames} frames
 *       whose voices are less alike than the identification threshold: two people (the
 *       model often splits one voice into two labels, which sound alike, and that is fine);</li>
 *   <li>adding to an existing print made by another model: embeddings of two models are
 *       not comparable.</li>
 * </ul>
 */
public final class Enrollment {

    /** Less speech than this identifies nobody reliably (the evaluation enrolled 10 to 25 s). */
    public static final double MIN_SECONDS = 5.0;

    /** Why a recording or print cannot be enrolled. */
    public static final class RefusedException extends Exception {
        public RefusedException(String message) {
            super(message);
        }
    }

    private final VoiceEmbedder embedder;
    private final IdentifySpec spec;
    private final Clock clock;

    /** @param spec the model's identification values (the two-voice rule uses its threshold) */
    public Enrollment(VoiceEmbedder embedder, IdentifySpec spec, Clock clock) {
        this.embedder = embedder;
        this.spec = spec;
        this.clock = clock;
    }

    /** One recording's embedding and speech, or the reason it cannot be used. */
    public record Recording(String name, double[] voice, double seconds) {
    }

    /** Checks one recording (samples at the model's rate) and embeds it. */
    public Recording embed(String name, float[] audio) throws RefusedException {
        List<LabelVoice> voices = embedder.voices(audio);
        double seconds = voices.stream().mapToDouble(LabelVoice::seconds).sum();
        if (seconds < MIN_SECONDS) {
            throw new RefusedException(String.format(Locale.ROOT, "%s: only %.1f s of speech by one voice alone; "
                    + "enrolment needs %.0f s at least (a longer clean recording, or several)", name, seconds, MIN_SECONDS));
        }
        for (int i = 0; i < voices.size(); i++) {
            for (int j = i + 1; j < voices.size(); j++) {
                LabelVoice a = voices.get(i);
                LabelVoice b = voices.get(j);
                double cos = Vectors.cosine(a.sum(), b.sum());
                if (a.frames() >= spec.minFrames() && b.frames() >= spec.minFrames() && cos < spec.threshold()) {
                    throw new RefusedException(String.format(Locale.ROOT, "%s: more than one voice (%.1f s and %.1f s "
                            + "of two voices that do not sound alike, cosine %.2f); enrol each person from a recording "
                            + "of them alone", name, a.seconds(), b.seconds(), cos));
                }
            }
        }
        return new Recording(name, VoiceEmbedder.wholeVoice(voices), seconds);
    }

    /**
     * The print of {@code speakerId} from {@code recordings}, added to {@code existing}'s
     * embeddings if given (a further enrolment of the same person).
     */
    public Voiceprint print(String speakerId, String displayName, List<Recording> recordings, Voiceprint existing)
            throws RefusedException {
        String modelId = embedder.contract().modelId;
        List<List<Float>> embeddings = new ArrayList<>();
        double seconds = 0;
        if (existing != null) {
            if (!existing.getModelId().equals(modelId)) {
                throw new RefusedException("speaker " + speakerId + " was enrolled with model " + existing.getModelId()
                        + ", this is " + modelId + ": their embeddings cannot be compared; enrol them afresh with "
                        + "--replace");
            }
            embeddings.addAll(existing.getEmbeddings());
            seconds += existing.getSpeechSeconds();
        }
        for (Recording r : recordings) {
            embeddings.add(Vectors.toFloats(r.voice()));
            seconds += r.seconds();
        }
        return Voiceprint.newBuilder()
                .setSpeakerId(speakerId)
                .setDisplayName(displayName)
                .setModelId(modelId)
                .setEmbeddings(embeddings)
                .setSpeechSeconds(seconds)
                .setCreatedMs(clock.millis())
                .build();
    }
}
