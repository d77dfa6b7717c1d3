package io.streamdrz.kafka;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AudioInRoundTripContract} against the in-process KRaft broker: runs everywhere, no Docker. */
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedAudioInRoundTripIT extends AudioInRoundTripContract {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker(EmbeddedKafka broker) {
        kafka = broker;
    }

    @Override
    String bootstrapServers() {
        return kafka.bootstrapServers();
    }
}
