package io.streamdrz.topology;

import io.streamdrz.state.OriginalHeader;
import io.streamdrz.state.OriginalRecord;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last line of defence ({@code processing.exception.handler}): an exception that a
 * processor lets escape, other than Kafka Streams' own, sends the input record, byte for
 * byte, to the dead-letter topic ({@link DeadLetterReason#INTERNAL_ERROR}, with the usual
 * {@code streamdrz.dlq.*} headers) and processing resumes with the next record, instead of
 * the stream thread dying on a record that fails the same way after every restart.
 *
 * <p>The assembler and the diarizer handle their own failures per call (they end the call
 * with {@link CallEnd#INTERNAL_ERROR}); this catches what escapes elsewhere, e.g. the
 * validator. A {@link CallFailedException} must reach the assembler, so it fails here, as
 * do Kafka Streams' own exceptions. The topic is {@value #TOPIC_CONFIG}, which
 * {@code StreamdrzConfig} sets to {@code streamdrz.topic.dead.letter}.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {

    /** Kafka's own setting for the dead-letter topic of its exception handlers (KIP-1034). */
    public static final String TOPIC_CONFIG = "errors.dead.letter.queue.topic.name";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

    private String topic = TopologyConfig.builder().build().deadLetterTopic();

    @Override
    public void configure(Map<String, ?> configs) {
        Object configured = configs.get(TOPIC_CONFIG);
        if (configured != null && !configured.toString().isBlank()) {
            topic = configured.toString();
        }
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (CallFailedException.in(exception) != null || exception instanceof StreamsException) {
            return Response.fail();
        }
        String where = context.topic() + "-" + context.partition() + " offset " + context.offset();
        log.error("processor {} of task {} failed on the record at {}; dead-lettering it ({}) and going on",
                context.processorNodeId(), context.taskId(), where, DeadLetterReason.INTERNAL_ERROR, exception);
        Record<byte[], byte[]> dead = DeadLetters.record(original(context), DeadLetterReason.INTERNAL_ERROR,
                "processor " + context.processorNodeId() + " failed: " + exception);
        return Response.resume(List.of(new ProducerRecord<>(topic, null, dead.timestamp(), dead.key(), dead.value(),
                dead.headers())));
    }

    private static OriginalRecord original(ErrorHandlerContext context) {
        List<OriginalHeader> headers = new ArrayList<>();
        for (Header header : context.headers()) {
            headers.add(new OriginalHeader(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return OriginalRecord.newBuilder()
                .setKey(context.sourceRawKey() == null ? null : ByteBuffer.wrap(context.sourceRawKey()))
                .setValue(context.sourceRawValue() == null ? null : ByteBuffer.wrap(context.sourceRawValue()))
                .setHeaders(headers)
                .setTopic(context.topic() == null ? "" : context.topic())
                .setPartition(context.partition())
                .setOffset(context.offset())
                .setTimestamp(context.timestamp())
                .build();
    }
}
