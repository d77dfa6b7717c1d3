package io.streamdrz.topology;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DeadLetterProcessingExceptionHandlerTest {

    private final byte[] key = "call-1".getBytes(StandardCharsets.UTF_8);
    private final byte[] value = {1, 2, 3};
    private final DeadLetterProcessingExceptionHandler handler = new DeadLetterProcessingExceptionHandler();

    @Test
    void anUnexpectedFailureDeadLettersTheSourceRecordAndResumes() {
        handler.configure(Map.of(DeadLetterProcessingExceptionHandler.TOPIC_CONFIG, "my-dlq"));
        ProcessingExceptionHandler.Response response = handler.handleError(context(), record(),
                new IllegalStateException("boom"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, response.result());
        List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
        assertEquals(1, dead.size());
        ProducerRecord<byte[], byte[]> r = dead.get(0);
        assertEquals("my-dlq", r.topic());
        assertArrayEquals(key, r.key());
        assertArrayEquals(value, r.value(), "the original bytes, not the processor's view of them");
        assertEquals("INTERNAL_ERROR", header(r.headers(), DeadLetters.REASON));
        assertEquals("audio-in", header(r.headers(), DeadLetters.TOPIC));
        assertEquals("42", header(r.headers(), DeadLetters.OFFSET));
        assertEquals("abc", header(r.headers(), "trace-id"), "the original headers travel with it");
    }

    @Test
    void kafkasOwnFailuresAndFailedCallsAreNotSwallowed() {
        assertEquals(ProcessingExceptionHandler.Result.FAIL,
                handler.handleError(context(), record(), new StreamsException("task migrated")).result());
        assertEquals(ProcessingExceptionHandler.Result.FAIL, handler.handleError(context(), record(),
                new CallFailedException("call-1", new IllegalStateException())).result(),
                "the assembler upstream must learn that the call was ended");
    }

    private static Record<Object, Object> record() {
        return new Record<>("call-1", "decoded", 7L);
    }

    private ErrorHandlerContext context() {
        Headers headers = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        return new ErrorHandlerContext() {
            public String topic() { return "audio-in"; }
            public int partition() { return 3; }
            public long offset() { return 42; }
            public Headers headers() { return headers; }
            public String processorNodeId() { return DiarizationTopology.VALIDATOR; }
            public TaskId taskId() { return new TaskId(0, 3); }
            public long timestamp() { return 7L; }
            public byte[] sourceRawKey() { return key; }
            public byte[] sourceRawValue() { return value; }
        };
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
