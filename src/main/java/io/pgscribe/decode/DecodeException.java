package io.pgscribe.decode;

/** Decoder output that cannot be understood: the capture stops rather than guess. */
public class DecodeException extends RuntimeException {
    public DecodeException(String message, Throwable cause) {
        super(message, cause);
    }

    public DecodeException(String message) {
        super(message);
    }
}
