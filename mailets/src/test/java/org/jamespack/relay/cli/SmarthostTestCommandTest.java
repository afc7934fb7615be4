package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.jamespack.relay.cli.DeviceEndpointStandIn.Reply;
import org.jamespack.relay.testing.CmsCredentialServer;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.relay.token.TokenFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * {@code token test} against a real SMTP dialogue: GreenMail (AUTH XOAUTH2: the token must be the
 * user's password) behind a STARTTLS front with a test CA, with the relay's own SMTP client.
 */
class SmarthostTestCommandTest {

    static final String TOKEN = "access-token-value-T1";
    static final String REFRESH = "refresh-token-value-T1";
    static TestCa ca;

    @TempDir
    Path dir;

    GreenMail smarthost;
    SmtpFront front;
    DeviceEndpointStandIn idp;
    Path trust;
    Path trustPassword;
    Path tokenFile;

    @BeforeAll
    static void makeCa() throws Exception {
        ca = TestCa.create("localhost");
    }

    @BeforeEach
    void start() throws Exception {
        smarthost = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smarthost.start();
        smarthost.setUser("dana@example.org", "dana@example.org", TOKEN);
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort());
        idp = new DeviceEndpointStandIn(5, 900);
        trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        trustPassword = Files.writeString(dir.resolve("trust.pw"), new String(TestCa.PASSWORD));
        tokenFile = dir.resolve("dana@example.org");
        Files.writeString(tokenFile, "{\"access_token\":\"" + TOKEN + "\",\"client_id\":\"c\",\"token_endpoint\":\"" + idp.token()
            + "\",\"expiry\":\"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "\",\"refresh_token\":\"" + REFRESH
            + "\",\"user\":\"dana@example.org\"}");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stop() throws Exception {
        front.close();
        smarthost.stop();
        idp.close();
    }

    private static void assertNoSecret(ToolRun run) {
        assertThat(run.all()).doesNotContain(TOKEN, REFRESH, "access-token-value-T2", "refresh-token-value-T2");
    }

    @Test
    void testShouldAuthenticateAndQuitWithoutSendingMailWhenTheTokenIsGood() throws Exception {
        ToolRun run = new ToolRun();

        int code = run.run("test", tokenFile.toString(), "--host", "localhost", "--port", String.valueOf(front.port()),
            "--trust-store", trust.toString(), "--trust-store-password-file", trustPassword.toString(), "--helo", "relay.test",
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("1. token for dana@example.org", "ok: valid until",
            "2. connect to localhost:" + front.port() + " (STARTTLS", "AUTH XOAUTH2 as dana@example.org",
            "ok: TLS established, AUTH accepted", "3. QUIT", "no mail sent");
        assertThat(front.commands()).contains("STARTTLS").doesNotContain("DATA");
        assertThat(front.commands()).anyMatch(c -> c.startsWith("AUTH XOAUTH2"));
        assertThat(smarthost.getReceivedMessages()).isEmpty();
        assertThat(idp.tokenRequests).isEmpty();
        assertNoSecret(run);
    }

    @Test
    void testShouldExplainWithoutRefreshingWhenSmtpAuthIsDisabledForTheTenant() throws Exception {
        // 5.7.139 is a tenant setting, not a stale token: a new token cannot cure it (the relay's rule, FailureClassifier)
        front.rule("^AUTH ", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."
            + " Visit https://aka.ms/smtp_auth_disabled for more information.", -1);
        idp.polls(n -> Reply.tokens("access-token-value-T2", "refresh-token-value-T2"));
        ToolRun run = new ToolRun();

        int code = run.run("test", tokenFile.toString(), "--host", "localhost", "--port", String.valueOf(front.port()),
            "--trust-store", trust.toString(), "--trust-store-password-file", trustPassword.toString(),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.FAILED);
        assertThat(run.out()).contains("5.7.139", "diagnosis [5.7.139]", "Set-CASMailbox").doesNotContain("refreshing the token");
        assertThat(idp.tokenRequests).isEmpty();
        assertThat(front.commands()).filteredOn(c -> c.startsWith("AUTH")).hasSize(1);
        assertThat(TokenFile.read(tokenFile).refreshToken().reveal()).isEqualTo(REFRESH);
        assertNoSecret(run);
    }

    @Test
    void testShouldRefreshOnceAndAuthenticateWhenTheSmarthostRefusesTheCachedToken() throws Exception {
        // the smarthost now wants the token the endpoint hands out next: the cached one is stale
        smarthost.setUser("dana@example.org", "dana@example.org", "access-token-value-T2");
        idp.polls(n -> Reply.tokens("access-token-value-T2", "refresh-token-value-T2"));
        ToolRun run = new ToolRun();

        int code = run.run("test", tokenFile.toString(), "--host", "localhost", "--port", String.valueOf(front.port()),
            "--trust-store", trust.toString(), "--trust-store-password-file", trustPassword.toString(),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("refreshing the token once", "AUTH accepted");
        assertThat(idp.tokenRequests).singleElement().satisfies(r -> assertThat(r).containsEntry("grant_type", "refresh_token"));
        assertThat(TokenFile.read(tokenFile).refreshToken().reveal()).isEqualTo("refresh-token-value-T2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        assertNoSecret(run);
    }

    @Test
    void testShouldExplainTheMissingCaWhenTheSmarthostCertificateIsNotTrusted() throws Exception {
        ToolRun run = new ToolRun();

        int code = run.run("test", tokenFile.toString(), "--host", "localhost", "--port", String.valueOf(front.port()),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.FAILED);
        assertThat(run.out()).contains("TLS", "diagnosis [missing-ca]");
        assertThat(front.commands()).noneMatch(c -> c.startsWith("AUTH"));
        assertNoSecret(run);
    }

    @Test
    void testShouldFindTheRouteOfASenderDomainInTheSmartHostsFile() throws Exception {
        Path routes = Files.writeString(dir.resolve("smart-hosts"), "# exim smart-hosts\nexample.org: host=localhost::"
            + front.port() + " helo=relay.test user=dana@example.org oauth=" + tokenFile + "\n");
        ToolRun run = new ToolRun();

        int code = run.run("test", "example.org", "--routes", routes.toString(), "--trust-store", trust.toString(),
            "--trust-store-password-file", trustPassword.toString(),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("route for example.org: example.org", "AUTH accepted");
        assertThat(new ToolRun().run("test", "other.org", "--routes", routes.toString())).isEqualTo(TokenTool.USAGE);
        assertNoSecret(run);
    }

    @Test
    void testShouldTakeTheTokenFromACredentialServerThatReadsTheRequestToEndOfFile() throws Exception {
        Path socket = dir.resolve("cms.sock");
        try (CmsCredentialServer cms = new CmsCredentialServer(socket, Map.of("dana@example.org", TOKEN))) {
            Path routes = Files.writeString(dir.resolve("smart-hosts"), "example.org: host=localhost::" + front.port()
                + " helo=relay.test user=dana@example.org oauth=" + socket + "\n");
            ToolRun run = new ToolRun();

            int code = run.run("test", "dana@example.org", "--routes", routes.toString(), "--trust-store", trust.toString(),
                "--trust-store-password-file", trustPassword.toString(),
                "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

            assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
            assertThat(run.out()).contains("AUTH accepted");
            // exactly what exim's readsocket sends: no line end, then end of file
            assertThat(cms.requests()).containsExactly("SMTP dana@example.org");
            assertNoSecret(run);
        }
    }

    @Test
    void testShouldAuthenticateAsTheTokenFilesUserWhenItNamesOneAsSaslXoauth2Does() throws Exception {
        smarthost.setUser("erin@example.org", "erin@example.org", "erin-token-value");
        Path erinFile = dir.resolve("erin-token");
        Files.writeString(erinFile, "{\"access_token\":\"erin-token-value\",\"client_id\":\"c\",\"token_endpoint\":\"" + idp.token()
            + "\",\"expiry\":\"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "\",\"refresh_token\":\"" + REFRESH
            + "\",\"user\":\"erin@example.org\"}");
        Path routes = Files.writeString(dir.resolve("smart-hosts"), "example.org: host=localhost::" + front.port()
            + " helo=relay.test user=dana@example.org oauth=" + erinFile + "\n");
        ToolRun run = new ToolRun();

        int code = run.run("test", "example.org", "--routes", routes.toString(), "--trust-store", trust.toString(),
            "--trust-store-password-file", trustPassword.toString(),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());

        assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("AUTH XOAUTH2 as erin@example.org", "AUTH accepted");
        assertThat(run.all()).doesNotContain("erin-token-value");
    }
}
