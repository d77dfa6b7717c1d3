package io.streamdrz.topology;

/**
 * Thrown by the {@link ChunkDiarizationProcessor} after it has ended a call whose
 * processing failed (end record {@link CallEnd#INTERNAL_ERROR} out, its state dropped),
 * so that the {@link ChunkAssembler} upstream drops the call's audio and closes it too,
 * without ending it a second time. It reaches the assembler wrapped by Kafka Streams'
 * processing-exception handling, hence {@link #in}.
 */
final class CallFailedException extends RuntimeException {

    CallFailedException(String callId, Throwable cause) {
        super("call " + callId + " failed and was ended (" + CallEnd.INTERNAL_ERROR + ")", cause);
    }

    /** The CallFailedException in {@code e}'s causes, or null. */
    static CallFailedException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CallFailedException failed) {
                return failed;
            }
        }
        return null;
    }
}
