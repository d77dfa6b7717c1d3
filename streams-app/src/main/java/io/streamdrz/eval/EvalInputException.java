package io.streamdrz.eval;

import java.io.IOException;

/** An RTTM or UEM file that cannot be read; the message names the file and line. */
public final class EvalInputException extends IOException {

    public EvalInputException(String message) {
        super(message);
    }
}
