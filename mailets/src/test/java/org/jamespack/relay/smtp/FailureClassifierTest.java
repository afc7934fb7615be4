package org.jamespack.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jamespack.relay.smtp.FailureClassifier.Phase.AUTH;
import static org.jamespack.relay.smtp.FailureClassifier.Phase.CONNECT;
import static org.jamespack.relay.smtp.FailureClassifier.Phase.DATA;
import static org.jamespack.relay.smtp.FailureClassifier.Phase.MAIL;
import static org.jamespack.relay.smtp.FailureClassifier.Phase.RCPT;

import org.jamespack.relay.smtp.FailureClassifier.Phase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real reply lines from the reference (Microsoft 365, Google, Dovecot), classified as its table says. */
class FailureClassifierTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "AUTH | 535 5.7.3 Authentication unsuccessful [BN0PR04CA0123.namprd04.prod.outlook.com] | TOKEN_STALE",
        "AUTH | 535 5.7.8 Authentication failed. | TOKEN_STALE",
        "AUTH | '535-5.7.1 Username and Password not accepted. Learn more at\n535 5.7.1 https://support.google.com/mail/?p=BadCredentials' | TOKEN_STALE",
        "AUTH | 501 5.5.127 Invalid XOAUTH2 auth data - Token will expire soon | TOKEN_STALE",
        "AUTH | 501 5.5.124 Invalid XOAUTH2 auth data | CREDENTIAL_BROKEN",
        "AUTH | 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. | POLICY",
        "AUTH | 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. | POLICY",
        "AUTH | 535 5.7.139 Authentication unsuccessful, basic authentication is disabled. | POLICY",
        "AUTH | 550 5.7.30 Basic authentication is not supported for Client Submission. | POLICY",
        "AUTH | 454 4.7.0 Temporary authentication failure. | TRANSIENT",
        "DATA | 554 5.2.252 SendAsDenied; alice@example.org not allowed to send as bob@example.org | PERMANENT",
        "DATA | 550 5.7.60 SMTP; Client does not have permissions to send as this sender | PERMANENT",
        "MAIL | 550 5.2.252 Sender throttled due to continuous send as denied errors | POLICY",
        "CONNECT | 421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. | TRANSIENT",
        "MAIL | 432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded | TRANSIENT",
        "MAIL | 421 4.4.0 Failed to connect to relay server | TRANSIENT",
        "RCPT | 550 5.1.1 User unknown | PERMANENT",
        "RCPT | 452 4.2.2 Mailbox full | TRANSIENT",
        "RCPT | 552 4.2.2 Mailbox full, try later | TRANSIENT",
        "DATA | 554 5.6.0 Message rejected | PERMANENT",
        "MAIL | 530 5.7.0 Must issue a STARTTLS command first | POLICY",
        "CONNECT | 554 5.7.1 Relay access denied | POLICY",
        "RCPT | 550 Requested action not taken | PERMANENT",
        "CONNECT | Connection reset | TRANSIENT",
    })
    void classifyShouldFollowTheReferenceTableWhenATokenRouteGetsARealReply(Phase phase, String reply, FailureKind expected) {
        assertThat(FailureClassifier.classify(phase, SmtpReply.parse(reply), true, false)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "535 5.7.3 Authentication unsuccessful [server]",
        "501 5.5.127 Invalid XOAUTH2 auth data - Token will expire soon",
        "535 5.7.8 Authentication failed.",
    })
    void classifyShouldCallTheCredentialBrokenWhenARefreshedTokenIsRefusedToo(String reply) {
        assertThat(FailureClassifier.classify(AUTH, SmtpReply.parse(reply), true, true)).isEqualTo(FailureKind.CREDENTIAL_BROKEN);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"535 5.7.8 Authentication credentials invalid"})
    void classifyShouldCallAPasswordRefusalCredentialBrokenWhenTheRouteHasAPassword(String reply) {
        assertThat(FailureClassifier.classify(AUTH, SmtpReply.parse(reply), false, false)).isEqualTo(FailureKind.CREDENTIAL_BROKEN);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded | true",
        "451 4.3.0 Temporary failure | true",
        "550 5.1.1 User unknown | false",
    })
    void shouldBackOffShouldBeTrueForEvery4xx(String reply, boolean expected) {
        assertThat(FailureClassifier.shouldBackOff(SmtpReply.parse(reply))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "535 5.7.139 Authentication unsuccessful | 535 | 5.7.139",
        "250 OK | 250 | ",
        "'535-5.7.1 first\n535 5.7.1 last' | 535 | 5.7.1",
    })
    void parseShouldReadCodeAndEnhancedStatus(String reply, int code, String enhanced) {
        SmtpReply parsed = SmtpReply.parse(reply);
        assertThat(parsed.code()).isEqualTo(code);
        assertThat(parsed.enhanced().orElse(null)).isEqualTo(enhanced);
    }

    static {
        // keep the static imports used even when a phase is only reached through the CSV
        assertThat(new Phase[] {AUTH, CONNECT, DATA, MAIL, RCPT}).hasSize(5);
    }
}
