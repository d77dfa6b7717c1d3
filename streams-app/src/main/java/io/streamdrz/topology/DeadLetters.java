package io.streamdrz.topology;

import io.streamdrz.state.OriginalHeader;
import io.streamdrz.state.OriginalRecord;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Dead-letter records: the original key, value and headers, byte for byte, plus
 * headers that say why and where from. Nothing is re-encoded, so a fixed consumer or
 * a replay tool can put the record back on {@code audio-in} as it was.
 */
public final class DeadLetters {

    /** Header: the {@link DeadLetterReason} name. */
    public static final String REASON = "streamdrz.dlq.reason";
    /** Header: one sentence for humans. */
    public static final String MESSAGE = "streamdrz.dlq.message";
    /** Header: the topic the record was read from. */
    public static final String TOPIC = "streamdrz.dlq.topic";
    /** Header: its partition, as decimal text. */
    public static final String PARTITION = "streamdrz.dlq.partition";
    /** Header: its offset, as decimal text. */
    public static final String OFFSET = "streamdrz.dlq.offset";

    private DeadLetters() {
    }

    /**
     * A record as it was read: the processor's current input record with the
     * coordinates of the record context. Copies the headers, so later additions do
     * not leak into the input record.
     */
    public static OriginalRecord original(Record<byte[], byte[]> input, Optional<RecordMetadata> metadata) {
        List<OriginalHeader> headers = new ArrayList<>();
        for (Header header : input.headers()) {
            headers.add(new OriginalHeader(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return OriginalRecord.newBuilder()
                .setKey(input.key() == null ? null : ByteBuffer.wrap(input.key()))
                .setValue(input.value() == null ? null : ByteBuffer.wrap(input.value()))
                .setHeaders(headers)
                .setTopic(metadata.map(RecordMetadata::topic).orElse(""))
                .setPartition(metadata.map(RecordMetadata::partition).orElse(-1))
                .setOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
                .setTimestamp(input.timestamp())
                .build();
    }

    /** The dead-letter record for {@code original}. */
    public static Record<byte[], byte[]> record(OriginalRecord original, DeadLetterReason reason, String message) {
        Headers headers = new RecordHeaders();
        for (OriginalHeader header : original.getHeaders()) {
            headers.add(header.getKey(), header.getValue() == null ? null : bytes(header.getValue()));
        }
        headers.add(REASON, utf8(reason.name()));
        headers.add(MESSAGE, utf8(message));
        headers.add(TOPIC, utf8(original.getTopic()));
        headers.add(PARTITION, utf8(Integer.toString(original.getPartition())));
        headers.add(OFFSET, utf8(Long.toString(original.getOffset())));
        return new Record<>(original.getKey() == null ? null : bytes(original.getKey()),
                original.getValue() == null ? null : bytes(original.getValue()),
                original.getTimestamp(), headers);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
