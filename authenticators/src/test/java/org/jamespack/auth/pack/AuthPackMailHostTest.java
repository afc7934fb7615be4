package org.jamespack.auth.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** The pack's side of qmail-ldap clustering: the IMAP answer setting and the audit line's {@code mailhost=}. */
class AuthPackMailHostTest {

    private final FixedVerifier backend = new FixedVerifier("dave@example.org");
    private final BackendFactories factories = BackendFactories.standard().withBackend("fixed", n -> backend);
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

    @BeforeEach
    void captureAudit() {
        audit.start();
        ((Logger) LoggerFactory.getLogger(AuthPack.AUDIT_LOGGER)).addAppender(audit);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(AuthPack.AUDIT_LOGGER)).detachAppender(audit);
    }

    private AuthPack load(String authpackAttributes) {
        String xml = "<usersrepository>\n<authpack " + authpackAttributes + ">\n<fixed name=\"corp\"/>\n</authpack>\n</usersrepository>";
        return AuthPack.load(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "conf/usersrepository.xml", factories);
    }

    @Test
    void imapMailHostAnswerShouldBeAReferralUnlessSetToNo() {
        assertThat(load("").imapMailHostAnswer()).isEqualTo(MailHostAnswer.ImapStyle.REFERRAL);
        assertThat(load("imapMailHostAnswer=\"referral\"").imapMailHostAnswer()).isEqualTo(MailHostAnswer.ImapStyle.REFERRAL);
        assertThat(load("imapMailHostAnswer=\"no\"").imapMailHostAnswer()).isEqualTo(MailHostAnswer.ImapStyle.NO);
    }

    @Test
    void loadShouldNameFileLineAndKeyWhenImapMailHostAnswerIsUnknown() {
        assertThatThrownBy(() -> load("imapMailHostAnswer=\"redirect\""))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                "conf/usersrepository.xml:2: usersrepository/authpack/imapMailHostAnswer: 'redirect' is not one of "
                    + MailHostAnswer.ImapStyle.BY_CONFIG_NAME.keySet()));
    }

    @Test
    void auditShouldNameTheMailHostOnlyWhenTheVerdictDoes() {
        AuthPack pack = load("");
        backend.answer = Verdict.accepted().withMailHost("mail2.example.org");
        pack.verify(LoginAttempt.of("dave@example.org", Secret.of("dave-secret"), Protocol.IMAP));
        backend.answer = Verdict.accepted();
        pack.verify(LoginAttempt.of("alice@example.org", Secret.of("alice-secret"), Protocol.IMAP));

        assertThat(audit.list).hasSize(2);
        assertThat(audit.list.get(0).getFormattedMessage())
            .matches("login=dave@example.org protocol=imap client=- backend=corp verdict=ACCEPTED reason=OK detail=- "
                + "mailhost=mail2.example.org ms=\\d+");
        assertThat(audit.list.get(1).getFormattedMessage()).doesNotContain("mailhost")
            .matches("login=alice@example.org protocol=imap client=- backend=corp verdict=ACCEPTED reason=OK detail=- ms=\\d+");
        pack.close();
    }
}
