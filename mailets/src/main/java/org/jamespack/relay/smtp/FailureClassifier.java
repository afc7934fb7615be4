package org.jamespack.relay.smtp;

import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * Classifies an SMTP reply by the reply code and the enhanced status code, never by a leading
 * "5" alone (James' EnhancedMessagingException and MailDelivrer call too much permanent) and
 * never by free text. Stateless and thread-safe.
 *
 * <p>Rules, first match wins (built from Microsoft's and Google's real replies):
 * <ol>
 * <li>{@code 5.7.139} (SMTP AUTH disabled for tenant or mailbox), {@code 5.7.30} (Basic auth gone):
 *     POLICY.</li>
 * <li>{@code 550 5.2.252} (sender throttled after repeated Send-As errors): POLICY;
 *     {@code 5.2.252} otherwise (SendAsDenied) and {@code 5.7.60}: PERMANENT.</li>
 * <li>{@code 5.5.124} (HVE: invalid auth data): CREDENTIAL_BROKEN; {@code 5.5.127} (token about to
 *     expire): TOKEN_STALE, or CREDENTIAL_BROKEN once a refreshed token was refused too.</li>
 * <li>An enhanced code of class 4, or a 4xx reply: TRANSIENT (so {@code 552 4.2.2} waits).</li>
 * <li>AUTH answered 5xx: TOKEN_STALE for a token route not refreshed yet, else CREDENTIAL_BROKEN
 *     (an authentication problem never bounces mail).</li>
 * <li>Greeting, EHLO or STARTTLS answered 5xx, or {@code 530} to MAIL: POLICY (the smarthost
 *     refuses this relay as configured).</li>
 * <li>MAIL, RCPT or DATA answered 5xx: PERMANENT.</li>
 * <li>Anything else (no reply code): TRANSIENT.</li>
 * </ol>
 */
@Immutable
public final class FailureClassifier {

    /** Where in the session the reply came. */
    public enum Phase { CONNECT, AUTH, MAIL, RCPT, DATA }

    private FailureClassifier() {
    }

    /**
     * @param tokenRoute      the route authenticates with an OAuth2 token
     * @param alreadyRefreshed the token was just refreshed because the smarthost refused the last one
     */
    public static FailureKind classify(Phase phase, SmtpReply reply, boolean tokenRoute, boolean alreadyRefreshed) {
        Optional<String> enhanced = reply.enhanced();
        String e = enhanced.orElse("");
        if (e.equals("5.7.139") || e.equals("5.7.30")) {
            return FailureKind.POLICY;
        }
        if (e.equals("5.2.252")) {
            return reply.code() == 550 ? FailureKind.POLICY : FailureKind.PERMANENT;
        }
        if (e.equals("5.7.60")) {
            return FailureKind.PERMANENT;
        }
        if (e.equals("5.5.124")) {
            return FailureKind.CREDENTIAL_BROKEN;
        }
        if (e.equals("5.5.127")) {
            return tokenRoute && !alreadyRefreshed ? FailureKind.TOKEN_STALE : FailureKind.CREDENTIAL_BROKEN;
        }
        if (reply.code() < 0) {
            return FailureKind.TRANSIENT;
        }
        if (reply.statusClass() == 4 || reply.code() / 100 == 4) {
            return FailureKind.TRANSIENT;
        }
        if (reply.code() / 100 != 5) {
            // 2xx/3xx where a failure was reported: the dialogue went wrong, try again later
            return FailureKind.TRANSIENT;
        }
        switch (phase) {
            case AUTH:
                return tokenRoute && !alreadyRefreshed ? FailureKind.TOKEN_STALE : FailureKind.CREDENTIAL_BROKEN;
            case CONNECT:
                return FailureKind.POLICY;
            case MAIL:
                return reply.code() == 530 ? FailureKind.POLICY : FailureKind.PERMANENT;
            default:
                return FailureKind.PERMANENT;
        }
    }

    /** Whether the route should pause before its next message: any 4xx, and 432 4.3.2 above all. */
    public static boolean shouldBackOff(SmtpReply reply) {
        return reply.code() / 100 == 4;
    }
}
