package org.jamespack.auth.pack;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.auth.pack.MailHostAnswer.ImapStyle;
import org.junit.jupiter.api.Test;

class MailHostAnswerTest {

    @Test
    void imapShouldGiveAnRfc2221LoginReferralWhenStyleIsReferral() {
        assertThat(MailHostAnswer.imap(ImapStyle.REFERRAL, "LOGIN", "dave@example.org", "mail2.example.org"))
            .isEqualTo("[REFERRAL imap://dave%40example.org;AUTH=*@mail2.example.org/] LOGIN refused: "
                + "the mailbox of this account is on mail2.example.org");
    }

    @Test
    void imapShouldNameTheHostWithoutAReferralWhenStyleIsNo() {
        assertThat(MailHostAnswer.imap(ImapStyle.NO, "AUTHENTICATE", "dave@example.org", "mail2.example.org"))
            .isEqualTo("AUTHENTICATE refused: the mailbox of this account is on mail2.example.org");
    }

    @Test
    void imapUrlShouldPercentEncodeEveryByteOutsideUnreservedWhenLoginIsHostile() {
        String url = MailHostAnswer.imapUrl("a b]\r\n* OK;AUTH=x@évil/%", "mail2.example.org");

        assertThat(url).isEqualTo("imap://a%20b%5D%0D%0A%2A%20OK%3BAUTH%3Dx%40%C3%A9vil%2F%25;AUTH=*@mail2.example.org/");
        assertThat(url.chars()).allMatch(c -> c > 32 && c < 127);
    }

    @Test
    void pop3ShouldAnswerSysPermNamingTheHost() {
        assertThat(MailHostAnswer.pop3("mail2.example.org"))
            .isEqualTo("[SYS/PERM] the mailbox of this account is on mail2.example.org: connect there");
    }

    @Test
    void stylesShouldBeNamedAsTheConfigurationWritesThem() {
        assertThat(ImapStyle.BY_CONFIG_NAME).containsEntry("referral", ImapStyle.REFERRAL).containsEntry("no", ImapStyle.NO);
        assertThat(ImapStyle.REFERRAL.configName()).isEqualTo("referral");
    }
}
