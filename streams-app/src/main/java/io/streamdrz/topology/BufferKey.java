package io.streamdrz.topology;

import org.apache.kafka.common.utils.Bytes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys of the audio-buffer store: one entry per frame, ordered by call and then by
 * sequence number, so one call's frames are a contiguous, ordered key range.
 *
 * <p>Layout: the call id's UTF-8 length (4 bytes, big-endian), the call id, and the
 * sequence number big-endian with its sign bit flipped (so that byte order is numeric
 * order for negative numbers too). The length prefix keeps call {@code "a"} from
 * sharing a range with call {@code "ab"}.
 */
final class BufferKey {

    private BufferKey() {
    }

    static Bytes of(String callId, long sequence) {
        byte[] id = callId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + id.length + 8)
                .putInt(id.length).put(id).putLong(sequence ^ Long.MIN_VALUE).array());
    }

    /** The sequence number in a key made by {@link #of}. */
    static long sequence(Bytes key) {
        byte[] bytes = key.get();
        return ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong() ^ Long.MIN_VALUE;
    }

    /** The first key of a call's range. */
    static Bytes first(String callId) {
        return of(callId, Long.MIN_VALUE);
    }

    /** The last key of a call's range. */
    static Bytes last(String callId) {
        return of(callId, Long.MAX_VALUE);
    }
}
