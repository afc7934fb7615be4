package org.jamespack.auth;

/**
 * Checks one login against one backend (an LDAP directory, a Kopano server, a chain of them)
 * and says what happened as a {@link Verdict}.
 *
 * <p>Implementations must be thread-safe: James calls them from many protocol threads at once.
 * They never throw for an outcome (a wrong password, an outage, a time-out are verdicts) and
 * never log or return the password. An exception from {@link #verify} is a bug.
 */
public interface CredentialVerifier extends AutoCloseable {

    /** Checks the attempt; never null, never throws for a backend's answer or outage. */
    Verdict verify(LoginAttempt attempt);

    /** A short name for logs and metrics, e.g. {@code ldap} or {@code kopano}. */
    String name();

    /**
     * Forgets what this verifier remembers about {@code user} (a login or a canonical username,
     * compared ignoring case), e.g. the LDAP backend's login-to-DN mapping; wrappers pass it on.
     * Called when an operator invalidates the verdict cache. Never asks a backend.
     */
    default void forget(String user) {
    }

    /** Forgets what this verifier remembers about every user; see {@link #forget(String)}. */
    default void forgetAll() {
    }

    /** Releases connections and threads; the verifier answers UNAVAILABLE afterwards. */
    @Override
    default void close() {
    }
}
