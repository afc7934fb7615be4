package org.jamespack.auth;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.Immutable;

/**
 * What a verifier decided about one login: ACCEPTED, REJECTED, DISABLED or UNAVAILABLE.
 *
 * <p>Immutable and thread-safe. A verdict never holds a secret: the detail is a short text for
 * logs (a DN, a result code, a scheme name), and the cause, present only when UNAVAILABLE, is
 * the exception that made the backend unreachable. Callers switch on {@link #state()}.
 *
 * <p>An ACCEPTED verdict may name the {@linkplain #mailHost() other host} that holds the user's
 * mailbox (qmail-ldap {@code mailHost} clustering): the password is right, so the state stays
 * ACCEPTED; the protocols that read a mailbox send the client there instead of opening an empty
 * one here, and the others (SMTP submission) ignore it.
 *
 * <table>
 * <caption>What each state means and how James answers it</caption>
 * <tr><th>state</th><th>meaning</th><th>SMTP</th><th>IMAP / POP3</th></tr>
 * <tr><td>ACCEPTED</td><td>password right, account may use this service</td><td>235</td><td>OK</td></tr>
 * <tr><td>REJECTED</td><td>wrong password or unknown user (never tell which)</td><td>535 5.7.8</td><td>NO / -ERR</td></tr>
 * <tr><td>DISABLED</td><td>password right, account or feature off</td><td>535 5.7.8</td><td>NO / -ERR</td></tr>
 * <tr><td>UNAVAILABLE</td><td>the backend could not answer</td><td>454 4.7.0</td><td>NO processing failed / -ERR unexpected error</td></tr>
 * </table>
 */
@Immutable
public final class Verdict {

    /** The four outcomes of a login check. */
    public enum State {
        ACCEPTED,
        REJECTED,
        DISABLED,
        UNAVAILABLE
    }

    /** Why a verdict was reached; each reason belongs to exactly one state. */
    public enum Reason {
        /** Password verified. */
        OK(State.ACCEPTED),
        /** Password verified, but the directory wants it changed (ppolicy pwdReset). */
        OK_MUST_CHANGE_PASSWORD(State.ACCEPTED),
        /** Password expired, verified on a grace login. */
        OK_GRACE_LOGIN(State.ACCEPTED),

        /** Wrong password or unknown user: the two are never told apart. */
        INVALID_CREDENTIALS(State.REJECTED),
        /** Empty password, control characters, over-long input: refused before any I/O. */
        MALFORMED_INPUT(State.REJECTED),
        /** Several directory entries match the login. */
        AMBIGUOUS_LOGIN(State.REJECTED),
        /** The stored password uses a scheme the pack cannot verify. */
        UNSUPPORTED_SCHEME(State.REJECTED),
        /** No member of a chain decided (all optional, none accepted). */
        NOT_DECIDED(State.REJECTED),

        /** The account is switched off (accountStatus, nsAccountLock, Kopano non-active). */
        ACCOUNT_DISABLED(State.DISABLED),
        /** The account is locked (ppolicy, AD lockout). */
        ACCOUNT_LOCKED(State.DISABLED),
        /** The password or the account expired. */
        ACCOUNT_EXPIRED(State.DISABLED),
        /** The account may not use this protocol (Kopano feature gate, accountStatus nopop). */
        FEATURE_DISABLED(State.DISABLED),

        /** No connection could be made or it broke. */
        CONNECT_FAILED(State.UNAVAILABLE),
        /** The backend did not answer in time. */
        TIMEOUT(State.UNAVAILABLE),
        /** TLS handshake, certificate or host-name check failed. */
        TLS_FAILURE(State.UNAVAILABLE),
        /** The backend answered with an error that is not about the credentials. */
        SERVER_ERROR(State.UNAVAILABLE),
        /** The backend's answer could not be understood, or the client was refused a protocol feature. */
        PROTOCOL_ERROR(State.UNAVAILABLE),
        /**
         * Not asked: the client's address already has as many backend checks in flight or this
         * second as the throttle allows; a temporary failure the client retries.
         */
        BUSY(State.UNAVAILABLE);

        private final State state;

        Reason(State state) {
            this.state = state;
        }

        public State state() {
            return state;
        }
    }

    /** The longest host name DNS allows (RFC 1035 2.3.4), without a trailing dot. */
    private static final int MAX_HOST_LENGTH = 253;

    private static final Verdict ACCEPTED_OK = new Verdict(Reason.OK, "", null, null);
    private static final Verdict REJECTED_INVALID = new Verdict(Reason.INVALID_CREDENTIALS, "", null, null);

    private final Reason reason;
    private final String detail;
    private final @Nullable Throwable cause;
    private final @Nullable String mailHost;

    private Verdict(Reason reason, String detail, @Nullable Throwable cause, @Nullable String mailHost) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.cause = cause;
        this.mailHost = mailHost;
    }

    public static Verdict accepted() {
        return ACCEPTED_OK;
    }

    public static Verdict accepted(Reason reason, String detail) {
        return new Verdict(check(reason, State.ACCEPTED), detail, null, null);
    }

    public static Verdict rejected() {
        return REJECTED_INVALID;
    }

    public static Verdict rejected(Reason reason, String detail) {
        return new Verdict(check(reason, State.REJECTED), detail, null, null);
    }

    public static Verdict disabled(Reason reason, String detail) {
        return new Verdict(check(reason, State.DISABLED), detail, null, null);
    }

    public static Verdict unavailable(Reason reason, String detail) {
        return new Verdict(check(reason, State.UNAVAILABLE), detail, null, null);
    }

    public static Verdict unavailable(Reason reason, String detail, Throwable cause) {
        return new Verdict(check(reason, State.UNAVAILABLE), detail, Objects.requireNonNull(cause, "cause"), null);
    }

    private static Reason check(Reason reason, State expected) {
        if (reason.state() != expected) {
            throw new IllegalArgumentException(reason + " is a " + reason.state() + " reason, not " + expected);
        }
        return reason;
    }

    public State state() {
        return reason.state();
    }

    public Reason reason() {
        return reason;
    }

    /** A short loggable text; never holds a secret. Empty when there is nothing to add. */
    public String detail() {
        return detail;
    }

    /** The exception behind an UNAVAILABLE verdict, if one was thrown. */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    /**
     * The host that holds the user's mailbox when that is another server than this one, in lower
     * case: a DNS host name ({@link #isHostName}), so it is safe to put in a protocol answer.
     * Empty when the mailbox is here, or nobody said where it is; only ever present on ACCEPTED.
     */
    public Optional<String> mailHost() {
        return Optional.ofNullable(mailHost);
    }

    public boolean isAccepted() {
        return state() == State.ACCEPTED;
    }

    /** A copy with {@code prefix: } put in front of the detail, e.g. the backend's name; keeps the mail host. */
    public Verdict withDetailPrefix(String prefix) {
        String joined = detail.isEmpty() ? prefix : prefix + ": " + detail;
        return new Verdict(reason, joined, cause, mailHost);
    }

    /**
     * A copy naming {@code host} as the other server that holds the user's mailbox. Only an
     * ACCEPTED verdict may name one (a login that failed has no mailbox to send anyone to).
     *
     * @throws IllegalStateException    when this verdict is not ACCEPTED
     * @throws IllegalArgumentException when {@code host} is not a DNS host name: callers check
     *                                  data from a backend with {@link #isHostName} first
     */
    public Verdict withMailHost(String host) {
        if (!isAccepted()) {
            throw new IllegalStateException("only an ACCEPTED verdict names a mail host, not " + this);
        }
        if (!isHostName(host)) {
            throw new IllegalArgumentException("not a host name: '" + host + "'");
        }
        return new Verdict(reason, detail, null, host.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether {@code host} is a DNS host name (RFC 1123 2.1: letters, digits and hyphens in
     * dot-separated labels of 1 to 63 characters, no label starting or ending with a hyphen, at most
     * 253 characters; an IPv4 address is one too), without a trailing dot. Nothing else goes into
     * an IMAP referral URL or a POP3 answer.
     */
    public static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Verdict)) {
            return false;
        }
        Verdict other = (Verdict) o;
        return reason == other.reason && detail.equals(other.detail) && Objects.equals(cause, other.cause)
            && Objects.equals(mailHost, other.mailHost);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, cause, mailHost);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(state().name()).append('(').append(reason);
        if (!detail.isEmpty()) {
            s.append(", ").append(detail);
        }
        if (mailHost != null) {
            s.append(", mailHost=").append(mailHost);
        }
        if (cause != null) {
            s.append(", cause=").append(cause.getClass().getSimpleName());
        }
        return s.append(')').toString();
    }
}
