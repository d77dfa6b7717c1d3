package io.streamdrz.topology;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Timestamps of audio-in records: the record's own (normally the producer's create
 * time), else the partition's latest, else the wall clock. Never fails and never
 * drops: a record with a broken timestamp must still reach the validator, and the
 * dead-letter topic if it is bad.
 */
public final class FrameTimestamps implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.timestamp() >= 0) {
            return record.timestamp();
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
