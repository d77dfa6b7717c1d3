package io.streamdrz.topology;

import io.streamdrz.speakers.CallHints;
import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.state.CallSpeakersState;
import io.streamdrz.state.SpeakerIdentity;

import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@value DiarizationTopology#CALL_SPEAKERS_STORE} store, per call: the producer's
 * hints (written by the validator when a frame carries them) and the call labels
 * identified as enrolled speakers (written by the diarizer after each chunk). Deleted at
 * the call's end. Where the store is not connected (a processor tested alone), it holds
 * nothing and ignores writes.
 */
final class CallSpeakersStore {

    private final KeyValueStore<String, CallSpeakersState> store;

    private CallSpeakersStore(KeyValueStore<String, CallSpeakersState> store) {
        this.store = store;
    }

    static CallSpeakersStore of(ProcessingContext context) {
        return new CallSpeakersStore(OptionalStore.of(context, DiarizationTopology.CALL_SPEAKERS_STORE));
    }

    CallHints hints(String callId) {
        CallSpeakersState s = get(callId);
        return s == null ? CallHints.NONE : new CallHints(s.getExpectedSpeakers(), s.getExpectedSpeakerIds());
    }

    /** The newest hints win field by field: a frame that names only a cap keeps the expected ids. */
    void putHints(String callId, CallHints hints) {
        if (store == null) {
            return;
        }
        CallSpeakersState s = get(callId);
        CallSpeakersState.Builder b = s == null ? CallSpeakersState.newBuilder() : CallSpeakersState.newBuilder(s);
        if (hints.expectedSpeakers() != null) {
            b.setExpectedSpeakers(hints.expectedSpeakers());
        }
        if (!hints.expectedSpeakerIds().isEmpty()) {
            b.setExpectedSpeakerIds(hints.expectedSpeakerIds());
        }
        store.put(callId, b.build());
    }

    List<Identity> identities(String callId) {
        CallSpeakersState s = get(callId);
        List<Identity> out = new ArrayList<>();
        if (s != null) {
            for (SpeakerIdentity i : s.getIdentities()) {
                out.add(new Identity(i.getLabel(), i.getSpeakerId(), i.getDisplayName(), i.getScore()));
            }
        }
        return out;
    }

    void putIdentities(String callId, List<Identity> identities) {
        if (store == null) {
            return;
        }
        CallSpeakersState s = get(callId);
        if (s == null && identities.isEmpty()) {
            return;
        }
        List<SpeakerIdentity> stored = new ArrayList<>();
        for (Identity i : identities) {
            stored.add(new SpeakerIdentity(i.label(), i.speakerId(), i.name(), i.score()));
        }
        CallSpeakersState.Builder b = s == null ? CallSpeakersState.newBuilder() : CallSpeakersState.newBuilder(s);
        store.put(callId, b.setIdentities(stored).build());
    }

    void delete(String callId) {
        if (store != null) {
            store.delete(callId);
        }
    }

    private CallSpeakersState get(String callId) {
        return store == null ? null : store.get(callId);
    }
}
