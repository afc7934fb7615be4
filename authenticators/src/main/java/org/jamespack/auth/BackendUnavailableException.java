package org.jamespack.auth;

/**
 * A backend could not answer a directory question (outage, time-out, TLS failure).
 * Carries no secret; the message names the backend and what failed.
 */
public final class BackendUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public BackendUnavailableException(String message) {
        super(message);
    }
}
