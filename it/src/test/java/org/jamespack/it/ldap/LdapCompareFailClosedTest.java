package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DeleteRequest;
import com.unboundid.ldap.sdk.controls.ManageDsaITRequestControl;

/**
 * Password-only mode with LDAP compare through a real James 3.8.1: a
 * stored value over the cost caps is refused at once (535, not minutes of CPU), and a search that
 * meets a continuation reference is a temporary failure (454, IMAP {@code NO LOGIN processing
 * failed}), not a wrong password.
 */
class LdapCompareFailClosedTest {

    static final InMemoryLdap LDAP = InMemoryLdap.start();
    static final String REFERRAL = "ou=elsewhere," + InMemoryLdap.BASE_DN;

    static {
        // cn carries the mail address: the in-memory server answers indexed attributes (uid, mail)
        // from its index and would skip the referral entry, where a real directory returns it
        LDAP.addSshaUser("gail@example.org", "gail@example.org", "gail-secret");
        LDAP.addUser("mallory@example.org", "mallory@example.org",
            "{CRYPT}$2b$31$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("password-only",
            "<ldap name=\"ldap\" url=\"" + LDAP.url() + "\" baseDn=\"" + InMemoryLdap.BASE_DN + "\""
                + " bindDn=\"" + InMemoryLdap.SERVICE_DN + "\" bindPassword=\"" + InMemoryLdap.SERVICE_PASSWORD + "\""
                + " mode=\"compare\" loginAttribute=\"cn\" usernameAttribute=\"mail\""
                + " connectTimeout=\"1s\" responseTimeout=\"2s\"/>"))
        .build();

    @BeforeAll
    static void jamesUsers() {
        james.addJamesUser("gail@example.org", "james-own-password");
        james.addJamesUser("mallory@example.org", "james-own-password");
    }

    @AfterAll
    static void stopDirectory() {
        LDAP.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStoredValueOverTheCostCapsShouldBeRefusedWithoutBeingComputed() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("mallory@example.org", "secret-pw")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("mallory@example.org", "secret-pw")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("gail@example.org", "gail-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void aContinuationReferenceShouldFailTemporarilyNotAsAWrongPassword() throws Exception {
        LDAP.server().add("dn: " + REFERRAL, "objectClass: top", "objectClass: referral", "objectClass: extensibleObject",
            "ou: elsewhere", "ref: ldap://ldap2.example.org/" + REFERRAL);
        try {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("gail@example.org", "gail-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
                assertThat(smtp.authPlain("gail@example.org", "wrong")).isEqualTo("454 4.7.0 Temporary authentication failure");
            }
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("gail@example.org", "gail-secret")).isEqualTo("a1 NO LOGIN processing failed.");
            }
        } finally {
            // a referral object answers operations with a referral unless ManageDsaIT says "this entry itself"
            LDAP.server().delete(new DeleteRequest(REFERRAL, new Control[] {new ManageDsaITRequestControl()}));
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("gail@example.org", "gail-secret")).isEqualTo("235 Authentication Successful");
        }
    }
}
