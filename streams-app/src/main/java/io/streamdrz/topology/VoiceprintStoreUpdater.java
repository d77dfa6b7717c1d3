package io.streamdrz.topology;

import io.streamdrz.schema.RecordDecodeException;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.Voiceprint;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global {@value DiarizationTopology#VOICEPRINTS_STORE} store equal to the
 * compacted speakers topic on every instance: a print replaces the speaker's previous
 * one, a tombstone (null value) deletes the speaker, so their voice is gone from every
 * instance's memory as soon as each reads the tombstone. A value that is not a
 * Voiceprint, or whose key is not its speaker id, is skipped with a warning: the
 * topic is written by operators' tools, and one bad record must not stop the app.
 */
final class VoiceprintStoreUpdater implements Processor<String, byte[], Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(VoiceprintStoreUpdater.class);

    private final SingleObjectCodec<Voiceprint> codec = SingleObjectCodec.forReleased(Voiceprint.class);
    private KeyValueStore<String, Voiceprint> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(DiarizationTopology.VOICEPRINTS_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String speakerId = record.key();
        if (speakerId == null) {
            log.warn("speakers topic: a record without a key (speaker id) is skipped");
            return;
        }
        if (record.value() == null) {
            store.delete(speakerId);
            log.info("speaker {} deleted: their voiceprint is no longer used", speakerId);
            return;
        }
        Voiceprint print;
        try {
            print = codec.decode(record.value());
        } catch (RecordDecodeException e) {
            log.warn("speakers topic: the value of {} is not a Voiceprint ({}); skipped", speakerId, e.getMessage());
            return;
        }
        if (!speakerId.equals(print.getSpeakerId())) {
            log.warn("speakers topic: key {} holds the print of {}; skipped", speakerId, print.getSpeakerId());
            return;
        }
        store.put(speakerId, print);
        log.info("speaker {} ({}) enrolled: {} s of speech, model {}", speakerId, print.getDisplayName(),
                Math.round(print.getSpeechSeconds()), print.getModelId());
    }
}
