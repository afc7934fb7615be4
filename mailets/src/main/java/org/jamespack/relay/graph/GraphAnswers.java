package org.jamespack.relay.graph;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.relay.smtp.FailureKind;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

import net.jcip.annotations.Immutable;

/**
 * Turns Microsoft Graph's answer to {@code sendMail} into a {@link GraphResult}. Stateless and thread-safe.
 *
 * <p>Graph errors are JSON objects {@code {"error":{"code":"…","message":"…"}}}. The status decides first and the
 * error code refines it; an answer that is not understood is never taken for a delivery:
 * <table>
 * <caption>Graph answers and what the relay does</caption>
 * <tr><th>answer</th><th>kind</th><th>why</th></tr>
 * <tr><td>202</td><td>sent</td><td>the only success {@code sendMail} documents</td></tr>
 * <tr><td>other 1xx, 2xx, 3xx</td><td>TRANSIENT</td><td>not the documented answer, so not a delivery; redirects are
 *   not followed (the bearer token would go along)</td></tr>
 * <tr><td>401</td><td>TOKEN_STALE, then CREDENTIAL_BROKEN</td><td>the token expired or was revoked: refreshed once; refused
 *   again, an operator must act (token audience, consent)</td></tr>
 * <tr><td>403 {@code ErrorSendAsDenied}</td><td>PERMANENT</td><td>the mailbox may not send as the message's
 *   {@code From}: a property of this message; Exchange throttles a mailbox that repeats it, so never retried</td></tr>
 * <tr><td>other 403 ({@code ErrorAccessDenied}, …)</td><td>POLICY</td><td>the app or user lacks {@code Mail.Send}, or an
 *   application access policy excludes the mailbox: every message of the route fails until an operator acts, so mail
 *   stays queued, the route turns unhealthy, and only the end of the retry schedule bounces</td></tr>
 * <tr><td>404</td><td>POLICY</td><td>the route's mailbox does not exist or has no Exchange Online mailbox: a route
 *   setting, not the message's fault</td></tr>
 * <tr><td>408, 429</td><td>TRANSIENT</td><td>time-out, throttling; 429 waits {@code Retry-After}</td></tr>
 * <tr><td>413</td><td>PERMANENT</td><td>the request is over Graph's size limit</td></tr>
 * <tr><td>other 4xx</td><td>PERMANENT</td><td>Graph refused this message (malformed MIME, bad recipients, …): DSN with
 *   Graph's code and message</td></tr>
 * <tr><td>5xx</td><td>TRANSIENT</td><td>503 and 504 usually carry {@code Retry-After}, which is honoured</td></tr>
 * </table>
 */
@Immutable
public final class GraphAnswers {

    /** Graph's documented success for {@code sendMail}. */
    public static final int ACCEPTED = 202;

    /** Longest {@code Retry-After} taken at its word: a larger (or absurd) value falls back to the relay's schedule. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(6);

    private static final int MAX_MESSAGE = 300;
    private static final Set<String> SEND_AS = Set.of("errorsendasdenied", "errorsendonbehalfofdenied");

    private GraphAnswers() {
    }

    /**
     * Classifies one answer.
     *
     * @param status     HTTP status
     * @param retryAfter the {@code Retry-After} header, if any
     * @param body       the answer's body (JSON error or anything else)
     * @param where      names the call for the detail (the Graph base URL and mailbox, no secret)
     * @param mailbox    the mailbox whose {@code sendMail} was called, for the diagnosis
     * @param token      the bearer token that was sent: cut out of Graph's message should it ever echo it
     * @param now        the time a {@code Retry-After} date is measured from
     */
    public static GraphResult classify(int status, Optional<String> retryAfter, String body, String where, String mailbox,
                                       String token, Instant now) {
        if (status == ACCEPTED) {
            return new GraphResult.Sent(mailbox);
        }
        Map.Entry<String, String> error = error(body);
        String code = error.getKey();
        String message = error.getValue();
        if (!token.isEmpty()) {
            message = message.replace(token, "[redacted]");
        }
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "…";
        }
        String detail = where + " answered HTTP " + status + (code.isEmpty() ? "" : " " + code)
            + (message.isEmpty() ? "" : ": " + message);
        Optional<Duration> wait = retryAfter.flatMap(v -> retryAfter(v, now));
        String lower = code.toLowerCase(Locale.ROOT);
        if (status < 400) {
            return new GraphResult.Failed(FailureKind.TRANSIENT, status, code, detail,
                "not the 202 Graph documents for sendMail: the message is not taken as sent", wait);
        }
        if (status >= 500) {
            return new GraphResult.Failed(FailureKind.TRANSIENT, status, code, detail, "", wait);
        }
        switch (status) {
            case 401:
                return new GraphResult.Failed(FailureKind.TOKEN_STALE, status, code, detail,
                    "Graph refused the token: it must be issued for https://graph.microsoft.com (scope "
                        + "https://graph.microsoft.com/.default for app-only tokens), not for outlook.office365.com", wait);
            case 403:
                if (SEND_AS.contains(lower)) {
                    return new GraphResult.Failed(FailureKind.PERMANENT, status, code, detail,
                        "the mailbox " + mailbox + " may not send as this message's From address: grant it Send As in "
                            + "Exchange Online, or let the relay rewrite the sender (rewriteSender)", wait);
                }
                return new GraphResult.Failed(FailureKind.POLICY, status, code, detail,
                    "the app or user may not send as " + mailbox + ": app-only tokens need the application permission "
                        + "Mail.Send with admin consent (and no application access policy that leaves the mailbox out), "
                        + "delegated tokens the delegated permission Mail.Send", wait);
            case 404:
                return new GraphResult.Failed(FailureKind.POLICY, status, code, detail,
                    "Graph knows no mailbox " + mailbox + ": check the route's user= (a user principal name or object id "
                        + "with an Exchange Online mailbox)", wait);
            case 408:
            case 429:
                return new GraphResult.Failed(FailureKind.TRANSIENT, status, code, detail, "", wait);
            case 413:
                return new GraphResult.Failed(FailureKind.PERMANENT, status, code, detail, GraphMessage.TOO_BIG, wait);
            default:
                return new GraphResult.Failed(FailureKind.PERMANENT, status, code, detail, "", wait);
        }
    }

    /** Graph's error code and message; empty strings when the body is not Graph's JSON error. */
    static Map.Entry<String, String> error(String body) {
        try {
            Map<String, Object> parsed = JSONObjectUtils.parse(body);
            Object error = parsed.get("error");
            if (error instanceof Map<?, ?> e) {
                Object code = e.get("code");
                Object message = e.get("message");
                return Map.entry(code instanceof String c ? printable(c) : "", message instanceof String m ? printable(m) : "");
            }
        } catch (ParseException | RuntimeException e) {
            // not JSON (a proxy's page, an empty body): the status alone decides
            return Map.entry("", "");
        }
        return Map.entry("", "");
    }

    /**
     * A {@code Retry-After} value: delay-seconds or an HTTP date (RFC 9110 §10.2.3). Values that are not either, lie in
     * the past, or exceed {@link #MAX_RETRY_AFTER} give empty.
     */
    static Optional<Duration> retryAfter(String value, Instant now) {
        String v = value.strip();
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException e) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException ex) {
                return Optional.empty();
            }
        }
        if (d.isNegative() || d.compareTo(MAX_RETRY_AFTER) > 0) {
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** Control characters out: Graph's text goes into log lines and DSNs. */
    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", " ").strip();
    }
}
