package io.streamdrz.topology;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/** A store a processor may use where the topology connects it to one: absent with a feature off, or in a test of the processor alone. */
final class OptionalStore {

    private OptionalStore() {
    }

    /** The store {@code name}, or null where this processor is not connected to it. */
    static <S extends StateStore> S of(ProcessingContext context, String name) {
        try {
            return context.getStateStore(name);
        } catch (RuntimeException notConnected) {
            return null;
        }
    }
}
