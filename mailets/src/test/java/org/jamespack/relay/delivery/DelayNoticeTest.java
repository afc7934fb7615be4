package org.jamespack.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.junit.jupiter.api.Test;

class DelayNoticeTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void deliveryStatusShouldQuoteTheSmarthostsReplyAndSayUntilWhenItRetries() throws Exception {
        String fields = DelayNotice.deliveryStatus("relay.example.org", List.of(new MailAddress("bob@dest.example")),
            "AUTH: smtp.office365.com:587 refused AUTH XOAUTH2 for relay@example.org: 535 5.7.139 Authentication unsuccessful,"
                + "\r\n SmtpClientAuthentication is disabled for the Tenant.", Optional.of(Instant.parse("2026-12-10T08:00:00Z")), NOW);

        assertThat(fields).isEqualTo("Reporting-MTA: dns; relay.example.org\r\n"
            + "\r\n"
            + "Final-Recipient: rfc822; bob@dest.example\r\n"
            + "Action: delayed\r\n"
            + "Status: 4.7.0\r\n"
            + "Diagnostic-Code: smtp; 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.\r\n"
            + "Last-Attempt-Date: Sun, 6 Dec 2026 12:00:00 GMT\r\n"
            + "Will-Retry-Until: Thu, 10 Dec 2026 08:00:00 GMT\r\n");
    }

    @Test
    void deliveryStatusShouldUseTheRelaysOwnWordsWhenNoSmarthostAnswered() throws Exception {
        String fields = DelayNotice.deliveryStatus("relay.example.org", List.of(new MailAddress("bob@dest.example")),
            "no token for relay@example.org: token endpoint answered HTTP 400: invalid_grant", Optional.empty(), NOW);

        assertThat(fields).contains("Diagnostic-Code: X-XOAuth2-Relay; no token for relay@example.org: token endpoint answered"
            + " HTTP 400: invalid_grant\r\n").doesNotContain("Will-Retry-Until");
    }
}
