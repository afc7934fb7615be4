package org.jamespack.auth;

import java.util.Objects;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * What a verifier decided about one login: ACCEPTED, REJECTED, DISABLED or UNAVAILABLE.
 *
 * <p>Immutable and thread-safe. A verdict never holds a secret: the detail is a short text for
 * logs (a DN, a result code, a scheme name), and the cause, present only when UNAVAILABLE, is
 * the exception that made the backend unreachable. Callers switch on {@link #state()}.
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

    private static final Verdict ACCEPTED_OK = new Verdict(Reason.OK, "", null);
    private static final Verdict REJECTED_INVALID = new Verdict(Reason.INVALID_CREDENTIALS, "", null);

    private final Reason reason;
    private final String detail;
    private final Throwable cause;

    private Verdict(Reason reason, String detail, Throwable cause) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
        this.cause = cause;
    }

    public static Verdict accepted() {
        return ACCEPTED_OK;
    }

    public static Verdict accepted(Reason reason, String detail) {
        return new Verdict(check(reason, State.ACCEPTED), detail, null);
    }

    public static Verdict rejected() {
        return REJECTED_INVALID;
    }

    public static Verdict rejected(Reason reason, String detail) {
        return new Verdict(check(reason, State.REJECTED), detail, null);
    }

    public static Verdict disabled(Reason reason, String detail) {
        return new Verdict(check(reason, State.DISABLED), detail, null);
    }

    public static Verdict unavailable(Reason reason, String detail) {
        return new Verdict(check(reason, State.UNAVAILABLE), detail, null);
    }

    public static Verdict unavailable(Reason reason, String detail, Throwable cause) {
        return new Verdict(check(reason, State.UNAVAILABLE), detail, Objects.requireNonNull(cause, "cause"));
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

    public boolean isAccepted() {
        return state() == State.ACCEPTED;
    }

    /** A copy with {@code prefix: } put in front of the detail, e.g. the backend's name. */
    public Verdict withDetailPrefix(String prefix) {
        String joined = detail.isEmpty() ? prefix : prefix + ": " + detail;
        return new Verdict(reason, joined, cause);
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
        return reason == other.reason && detail.equals(other.detail) && Objects.equals(cause, other.cause);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, detail, cause);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(state().name()).append('(').append(reason);
        if (!detail.isEmpty()) {
            s.append(", ").append(detail);
        }
        if (cause != null) {
            s.append(", cause=").append(cause.getClass().getSimpleName());
        }
        return s.append(')').toString();
    }
}
