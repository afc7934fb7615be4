package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.testing.TestPorts;
import org.jamespack.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The relay configured as a Postfix + sasl-xoauth2 host was: its {@code sender_dependent_relayhost_maps} and
 * {@code smtp_sasl_password_maps} files as Postfix's documentation writes them, the passwords being sasl-xoauth2 token
 * files, read by the relay's own token registry (no token source handed in); GreenMail behind a STARTTLS front as
 * the smarthost, which takes each account's current access token as its XOAUTH2 credential.
 */
class PostfixMapsRelayTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private GreenMail smarthost;
    private SmtpFront front;
    private MemoryMailQueueFactory queues;
    private XOAuth2Relay relay;
    private LogCapture logs;
    private TestCa ca;

    @BeforeEach
    void setUp() throws Exception {
        logs = LogCapture.root();
        ca = TestCa.create("localhost");
        smarthost = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smarthost.start();
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort());
        closing.add(front);
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.destroy();
        }
        MemoryQueues.disposeAll(queues);
        for (AutoCloseable c : closing) {
            c.close();
        }
        smarthost.stop();
        logs.close();
        logs.assertNoSecret(List.of("access-token-of-"));
    }

    /** A token file as sasl-xoauth2 leaves it after a refresh, and the smarthost's account that takes its token. */
    private Path tokenFile(String account) throws Exception {
        Path tokens = Files.createDirectories(dir.resolve("etc/tokens"));
        Path file = tokens.resolve(account);
        Files.writeString(file, "{\n  \"access_token\" : \"access-token-of-" + account + "\",\n  \"refresh_token\" : \"refresh-of-" + account
            + "\",\n  \"expiry\" : \"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "\",\n  \"client_id\" : \"postfix-host\","
            + "\n  \"token_endpoint\" : \"http://127.0.0.1:" + TestPorts.closedPort() + "/token\"\n}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        smarthost.setUser(account, account, "access-token-of-" + account);
        return file;
    }

    private void startRelay(String... settings) throws Exception {
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName("XOAuth2Relay").mailetContext(FakeMailContext.defaultContext())
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .setProperty("helo", "relay.test")
            .setProperty("deliveryThreads", "2")
            .setProperty("connectTimeout", "5s")
            .setProperty("readTimeout", "10s");
        for (int i = 0; i < settings.length; i += 2) {
            config.setProperty(settings[i], settings[i + 1]);
        }
        relay = new XOAuth2Relay(queues, Optional.empty(), Clock.systemUTC(), true);
        relay.init(config.build());
    }

    private static Mail mail(String name, String sender) throws Exception {
        return FakeMail.builder().name(name).sender(sender).recipients("rcpt@dest.example")
            .attribute(new org.apache.mailet.Attribute(Mail.SMTP_AUTH_USER, org.apache.mailet.AttributeValue.of(sender)))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(sender).addToRecipient("rcpt@dest.example")
                .setSubject("postfix maps " + name).setText("Hello from " + sender))
            .build();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void relayShouldSendEachSenderAsItsPostfixAccountWithTheSaslXoauth2TokenFile() throws Exception {
        Path ceo = tokenFile("ceo@example.org");
        Path shared = tokenFile("relay@example.org");
        Path relayMap = Files.writeString(dir.resolve("sender_relay"), ""
            + "# /etc/postfix/sender_relay (sender_dependent_relayhost_maps = hash:/etc/postfix/sender_relay)\n"
            + "# per-sender relayhost: full address first, then @domain\n"
            + "ceo@example.org      [localhost]:" + front.port() + "\n"
            + "\n"
            + "@example.org\n"
            + "        [localhost]:" + front.port() + "\n");
        Path passwordMap = Files.writeString(dir.resolve("sasl_passwd"), ""
            + "# /etc/postfix/sasl_passwd (smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd)\n"
            + "# smtp_sender_dependent_authentication = yes; the password is sasl-xoauth2's token file\n"
            + "ceo@example.org      ceo@example.org:" + ceo + "\n"
            + "@example.org         relay@example.org:" + shared + "\n");
        startRelay("postfixRelayhostMapsFile", relayMap.toString(), "postfixSaslPasswordMapsFile", passwordMap.toString(),
            "postfixSenderDependentAuthentication", "yes");

        relay.service(mail("m1", "ceo@example.org"));
        relay.service(mail("m2", "alice@example.org"));
        Mail other = mail("m3", "bob@elsewhere.example");
        relay.service(other);

        await("two deliveries", () -> smarthost.getReceivedMessages().length == 2);
        assertThat(front.authUsers()).containsExactlyInAnyOrder("ceo@example.org", "relay@example.org");
        assertThat(front.commands()).contains("STARTTLS", "MAIL FROM:<ceo@example.org>", "MAIL FROM:<alice@example.org>");
        assertThat(other.getState()).as("no route: left to the next mailet, as Postfix would deliver it itself").isNotEqualTo(Mail.GHOST);
        assertThat(relay.view().routeReports(false)).extracting(r -> r.senderKey() + " " + r.account() + " " + r.origin()).containsExactlyInAnyOrder(
            "ceo@example.org ceo@example.org " + relayMap + ":3 (account: " + passwordMap + ":3)",
            "example.org relay@example.org " + relayMap + ":5 (account: " + passwordMap + ":4)");
    }

    @Test
    void initShouldNameTheKeyOfAPostfixSettingItCannotUse() throws Exception {
        Path db = Files.writeString(dir.resolve("sasl_passwd.db"), "binary");
        assertThatThrownBy(() -> startRelay("postfixRelayhost", "smtp.gmail.com:587", "postfixSaslPasswordMapsFile", db.toString()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("postfixRelayhost").hasMessageContaining("MX records")
            .hasMessageContaining("postfixSaslPasswordMapsFile").hasMessageContaining("give its source text file");
        relay = null;
        assertThatThrownBy(() -> startRelay("postfixSenderDependentAuthentication", "yes"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("postfixSenderDependentAuthentication").hasMessageContaining("needs postfixRelayhostMapsFile or postfixRelayhost");
        relay = null;
    }
}
