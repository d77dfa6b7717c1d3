package io.streamdrz.audio;

import java.io.IOException;

/**
 * Audio that cannot be used: an unsupported format or a damaged file. The message is
 * one line that names the source and the problem, fit to show a user as it is.
 */
public final class AudioDecodeException extends IOException {

    private final String source;
    private final String problem;

    public AudioDecodeException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /** The file (or other source) the audio came from. */
    public String source() {
        return source;
    }

    /** What is wrong with it, without the source. */
    public String problem() {
        return problem;
    }
}
