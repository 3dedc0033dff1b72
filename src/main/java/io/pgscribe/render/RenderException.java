package io.pgscribe.render;

/** A change that cannot be written as correct SQL. */
public class RenderException extends RuntimeException {
    public RenderException(String message) {
        super(message);
    }
}
