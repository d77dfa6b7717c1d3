package io.streamdrz.inference;

/**
 * A model that cannot be used: a missing file, missing or malformed metadata, an
 * unsupported contract version, or an encoder and decoder that do not belong together.
 * The message names the file and, where there is one, the metadata key.
 */
public final class ModelContractException extends RuntimeException {

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
