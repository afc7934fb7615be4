package org.jamespack.auth;

import java.util.Optional;

import net.jcip.annotations.ThreadSafe;

/**
 * The checks every verifier makes before any network call: an empty password (an LDAP bind
 * with it is an unauthenticated bind that succeeds, RFC 4513 section 5.1.2), control
 * characters or NUL in the login, and over-long input are REJECTED here.
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
public final class InputGuard {

    /** Longest login accepted: an RFC 5321 path is at most 256 octets; leave room for a realm. */
    public static final int MAX_LOGIN_LENGTH = 320;
    /** Longest password accepted; longer ones are an attack on the backend, not a password. */
    public static final int MAX_PASSWORD_LENGTH = 1024;

    private InputGuard() {
    }

    /** A REJECTED verdict when the attempt must not reach a backend, empty when it may. */
    public static Optional<Verdict> precheck(LoginAttempt attempt) {
        String login = attempt.login();
        if (login.isEmpty()) {
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "empty login"));
        }
        if (login.length() > MAX_LOGIN_LENGTH) {
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "login longer than " + MAX_LOGIN_LENGTH));
        }
        for (int i = 0; i < login.length(); i++) {
            char c = login.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\uFFFD' || Character.isSurrogate(c) && !validSurrogateAt(login, i)) {
                return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "control or invalid character in login"));
            }
        }
        Secret password = attempt.password();
        if (password.isEmpty()) {
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "empty password"));
        }
        if (password.length() > MAX_PASSWORD_LENGTH) {
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "password longer than " + MAX_PASSWORD_LENGTH));
        }
        if (password.containsAny("\0")) {
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "NUL in password"));
        }
        return Optional.empty();
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
