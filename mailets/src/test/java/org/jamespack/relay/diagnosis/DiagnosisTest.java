package org.jamespack.relay.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The diagnosis table against the error texts users of sasl-xoauth2 and the relay actually see. */
class DiagnosisTest {

    private static List<String> codes(String text) {
        return Diagnosis.explain(text).stream().map(Diagnosis::code).toList();
    }

    @Test
    void explainShouldNameTheTenantWhenRefreshingAgainstAnotherTenant() {
        String text = "token endpoint https://login.microsoftonline.com/consumers/oauth2/v2.0/token answered HTTP 400:"
            + " invalid_grant (AADSTS7000012: The grant was obtained from a different tenant. Trace ID: 1b2c Correlation ID: 3d4e"
            + " Timestamp: 2026-11-20 10:00:00Z)";

        assertThat(codes(text)).containsExactly("AADSTS7000012");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("tenant that issued it", "--tenant");
    }

    @Test
    void explainShouldSayNinetyDaysWhenTheRefreshTokenDiedOfInactivity() {
        String text = "invalid_grant (AADSTS700082: The refresh token has expired due to inactivity. The token was issued on"
            + " 2026-08-01T10:00:00.0000000Z and was inactive for 90.00:00:00.)";

        assertThat(codes(text)).containsExactly("AADSTS700082");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("90 days", "token init", "token refresh");
    }

    @Test
    void explainShouldMentionTheSevenDayTestingLimitWhenGoogleRefusesTheGrant() {
        String text = "token endpoint https://oauth2.googleapis.com/token answered HTTP 400: invalid_grant"
            + " (Token has been expired or revoked.)";

        assertThat(codes(text)).containsExactly("google-testing");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("Testing", "7 days", "In production");
    }

    @Test
    void explainShouldGiveTheGenericAdviceWhenAnotherProviderRefusesTheGrant() {
        assertThat(codes("token endpoint https://login.microsoftonline.com/common/oauth2/v2.0/token answered HTTP 400:"
            + " invalid_grant (AADSTS70000: The provided value for the 'refresh_token' is not valid.)"))
            .containsExactly("invalid_grant");
    }

    @Test
    void explainShouldTellHowToEnableSmtpAuthWhenTheTenantDisabledIt() {
        String tenant = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
            + " Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0201CA0045.namprd02.prod.outlook.com]";
        String mailbox = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.";

        assertThat(codes(tenant)).containsExactly("5.7.139");
        assertThat(codes(mailbox)).containsExactly("5.7.139");
        assertThat(Diagnosis.explain(tenant).get(0).advice()).contains("Set-CASMailbox", "Set-TransportConfig");
    }

    @Test
    void explainShouldListTheUsualCausesWhenMicrosoftSaysOnly573() {
        String text = "535 5.7.3 Authentication unsuccessful [BN9PR03CA0180.namprd03.prod.outlook.com]";

        assertThat(codes(text)).containsExactly("5.7.3");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("SMTP.Send", "user=");
    }

    @Test
    void explainShouldAdviseSendAsWhenSubmissionIsDenied() {
        assertThat(codes("554 5.2.252 SendAsDenied; alice@example.org not allowed to send as bob@example.org;"
            + " STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"))
            .containsExactly("5.2.252");
        assertThat(codes("550 5.7.60 SMTP; Client does not have permissions to send as this sender")).containsExactly("5.2.252");
    }

    @Test
    void explainShouldPointAtTheTrustStoreWhenTheCaIsMissing() {
        String text = "cannot reach token endpoint https://login.microsoftonline.com/common/oauth2/v2.0/token: SSLHandshakeException"
            + " PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid"
            + " certification path to requested target";

        assertThat(codes(text)).containsExactly("missing-ca");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("ca-certificates-java", "ca_bundle_file");
    }

    @Test
    void explainShouldKnowTheHighVolumeEmailAndBasicAuthReplies() {
        assertThat(codes("501 5.5.127 Invalid XOAUTH2 auth data - Token will expire soon")).containsExactly("5.5.127");
        assertThat(codes("550 5.7.30 Basic authentication is not supported for Client Submission.")).containsExactly("5.7.30");
    }

    @Test
    void explainShouldReturnNothingWhenTheTextIsUnknown() {
        assertThat(Diagnosis.explain("250 2.0.0 OK")).isEmpty();
        assertThat(Diagnosis.explain("")).isEmpty();
    }

    @Test
    void explainShouldReadStatusAndScopeFromTheChallengeJsonWhenTheFailureCarriesIt() {
        String text = "AUTH: localhost:587 refused AUTH XOAUTH2 for me@gmail.com: 535 5.7.8 Username and Password not accepted."
            + " (challenge {\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"})";

        List<Diagnosis> found = Diagnosis.explain(text);

        assertThat(found.get(0).code()).isEqualTo("challenge-400");
        assertThat(found.get(0).advice()).contains("https://mail.google.com/", "user=", "token init");
        assertThat(Diagnosis.summary(text)).startsWith("[challenge-400] ").contains("; [google-535] ");
    }

    @Test
    void explainShouldCallDovecotsStatus401AnInvalidToken() {
        String text = "535 5.7.8 Authentication failed. (challenge {\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"})";

        assertThat(codes(text)).startsWith("challenge-401");
        assertThat(Diagnosis.explain(text).get(0).advice()).contains("not valid", "scope mail");
        assertThat(codes("535 5.7.8 x (challenge {\"status\":\"invalid_token\"})")).startsWith("challenge-401");
        assertThat(codes("535 5.7.8 x (challenge {\"status\":\"403\",\"scope\":\"https://mail.google.com/\"})"))
            .startsWith("challenge-403");
    }

    @Test
    void summaryShouldBeEmptyWhenNothingApplies() {
        assertThat(Diagnosis.summary("250 2.0.0 OK")).isEmpty();
        assertThat(AuthChallenge.find("{\"error\":\"x\"}")).isEmpty();
        assertThat(AuthChallenge.mark("\u0001")).isEmpty();
    }
}
