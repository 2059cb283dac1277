package io.troupe.control.api.patch;

/**
 * A patch that cannot be applied: malformed, or asking for something the object does not allow.
 * The message says exactly what is wrong, because the API edge hands it to the client as is.
 */
public final class PatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PatchException(String message) {
        super(message);
    }

    public PatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
