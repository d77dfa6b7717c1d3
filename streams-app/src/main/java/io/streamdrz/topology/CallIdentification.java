package io.streamdrz.topology;

import io.streamdrz.recipe.SpeakerPrompt;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.CallHints;
import io.streamdrz.speakers.EnrolledVoice;
import io.streamdrz.speakers.SpeakerIdentifier;
import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.speakers.SpeakerIdentifier.Voice;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The diarizer's view of a call's speakers beyond its labels: the speaker cap the
 * producer asked for, and which labels are enrolled speakers. One per diarizer
 * processor; {@link #init} connects it to the stores.
 *
 * <p>After each chunk, {@link #identify} scores every call label's voice profile against
 * the enrolled voiceprints of this model (only those the producer said to expect, if it
 * did) with {@link SpeakerIdentifier}, and keeps the result in the call's
 * {@link CallSpeakersStore} entry, so identities stick across chunks and restarts.
 * Without the global voiceprints store (no speakers topic) nobody is identified.
 */
final class CallIdentification {

    private static final Logger log = LoggerFactory.getLogger(CallIdentification.class);

    private final SpeakerIdentifier identifier;
    private final String modelId;
    private CallSpeakersStore calls;
    private KeyValueStore<String, Voiceprint> prints;
    private boolean warnedUnreadable;

    CallIdentification(SpeakerIdentifier identifier, String modelId) {
        this.identifier = identifier;
        this.modelId = modelId;
    }

    void init(ProcessingContext context) {
        calls = CallSpeakersStore.of(context);
        try {
            prints = context.getStateStore(DiarizationTopology.VOICEPRINTS_STORE);
        } catch (RuntimeException notConnected) {
            prints = null;
        }
    }

    /** The call's speaker cap from the producer's hint; 0: the app's own. */
    int speakerCap(String callId) {
        Integer cap = calls.hints(callId).expectedSpeakers();
        return cap == null ? 0 : cap;
    }

    /**
     * Updates and returns the call's identities (label to identity) after a chunk.
     *
     * @param prompts the call's speakers after the chunk, with their voice profiles
     */
    Map<Integer, Identity> identify(String callId, List<SpeakerPrompt> prompts) {
        List<Identity> previous = calls.identities(callId);
        if (prints == null) {
            return byLabel(previous);
        }
        CallHints hints = calls.hints(callId);
        List<EnrolledVoice> candidates = candidates(hints);
        List<Voice> voices = new ArrayList<>();
        for (SpeakerPrompt p : prompts) {
            voices.add(new Voice(p.label(), p.voice(), p.voiceFrames()));
        }
        List<Identity> now = identifier.identify(voices, candidates, previous);
        if (!now.equals(previous)) {
            calls.putIdentities(callId, now);
            if (!names(now).equals(names(previous))) {
                log.info("call {}: speakers identified: {}", callId, describe(now));
            }
        }
        return byLabel(now);
    }

    /** What is known of the call's identities without a new chunk (at the call's end). */
    Map<Integer, Identity> identities(String callId) {
        return byLabel(calls.identities(callId));
    }

    void end(String callId) {
        calls.delete(callId);
    }

    /** The enrolled voices of this model, only the expected ones if the producer named some. */
    private List<EnrolledVoice> candidates(CallHints hints) {
        List<EnrolledVoice> out = new ArrayList<>();
        try (KeyValueIterator<String, Voiceprint> all = prints.all()) {
            while (all.hasNext()) {
                KeyValue<String, Voiceprint> kv = all.next();
                EnrolledVoice v = kv.value == null ? null : EnrolledVoice.of(kv.value);
                if (v != null && v.modelId().equals(modelId)
                        && (hints.expectedSpeakerIds().isEmpty() || hints.expectedSpeakerIds().contains(v.speakerId()))) {
                    out.add(v);
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof StreamsException) {
                throw e;
            }
            // a record on the speakers topic that is not a Voiceprint, restored as it is
            if (!warnedUnreadable) {
                log.warn("the voiceprints store holds a record that does not decode; identification uses the prints"
                        + " read before it (fix or delete it on the speakers topic)", e);
                warnedUnreadable = true;
            }
        }
        return out;
    }

    private static Map<Integer, Identity> byLabel(List<Identity> identities) {
        Map<Integer, Identity> out = new HashMap<>();
        for (Identity i : identities) {
            out.put(i.label(), i);
        }
        return out;
    }

    private static Map<Integer, String> names(List<Identity> identities) {
        Map<Integer, String> out = new HashMap<>();
        for (Identity i : identities) {
            out.put(i.label(), i.speakerId());
        }
        return out;
    }

    private static String describe(List<Identity> identities) {
        if (identities.isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        for (Identity i : identities) {
            parts.add(io.streamdrz.recipe.CallSegment.speakerName(i.label()) + " = " + i.speakerId()
                    + String.format(java.util.Locale.ROOT, " (%.2f)", i.score()));
        }
        return String.join(", ", parts);
    }
}
