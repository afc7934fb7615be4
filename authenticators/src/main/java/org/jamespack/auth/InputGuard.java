package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import java.nio.CharBuffer;
import java.util.Arrays;
import java.util.Optional;

import net.jcip.annotations.ThreadSafe;

/**
 * The checks every verifier makes before any network call: an empty password (an LDAP bind
 * with it is an unauthenticated bind that succeeds, RFC 4513 section 5.1.2), control
 * characters (C0, DEL, C1), U+FFFD or lone surrogates in the login, NUL or lone surrogates in the
 * password, and over-long input are REJECTED here. Other control characters in a password are
 * let through: the backend decides.
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
            // isISOControl covers C0, DEL and the C1 range (U+0080..U+009F, e.g. NEL U+0085)
            if (Character.isISOControl(c) || c == '\uFFFD' || Character.isSurrogate(c) && !validSurrogateAt(login, i)) {
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
        if (hasLoneSurrogate(password)) {
            // UTF-8 encoders replace a lone surrogate with '?': "pw\uD800" would be checked as "pw?"
            return Optional.of(Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "invalid UTF-16 in password"));
        }
        return Optional.empty();
    }

    private static boolean hasLoneSurrogate(Secret password) {
        char[] chars = password.chars();
        try {
            CharSequence view = CharBuffer.wrap(chars); // a view, no String copy of the password
            for (int i = 0; i < chars.length; i++) {
                if (Character.isSurrogate(chars[i]) && !validSurrogateAt(view, i)) {
                    return true;
                }
            }
            return false;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    private static boolean validSurrogateAt(CharSequence s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
