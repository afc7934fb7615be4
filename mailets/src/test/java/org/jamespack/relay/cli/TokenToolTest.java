package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import org.jamespack.testing.TestPorts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import no.nav.security.mock.oauth2.MockOAuth2Server;

/** Exit codes, help, {@code show}, {@code refresh} failures, {@code test}, {@code broker} of the token tool. */
class TokenToolTest {

    static final String REFRESH = "refresh-token-value-R9";
    static final String ACCESS = "access-token-value-A9";

    @TempDir
    Path dir;

    private Path global() throws IOException {
        return Files.writeString(dir.resolve("sasl-xoauth2.conf"), "{}");
    }

    private Path tokenFile(String name, String endpoint, boolean withClient, long expiry) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "{\"access_token\":\"" + ACCESS + "\"," + (withClient ? "\"client_id\":\"mail-client\","
            + "\"client_secret\":\"client-secret-value-S9\"," : "") + "\"token_endpoint\":\"" + endpoint + "\",\"expiry\":\""
            + expiry + "\",\"refresh_token\":\"" + REFRESH + "\"}");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static void assertNoSecret(ToolRun run) {
        assertThat(run.all()).doesNotContain(REFRESH, ACCESS, "client-secret-value-S9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"init", "show", "refresh", "test", "broker"})
    void helpShouldDescribeEverySubCommandAndItsExitCodes(String command) {
        ToolRun run = new ToolRun();

        assertThat(run.run(command, "--help")).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("Usage: token " + command, "Exit codes:");
    }

    @Test
    void toolShouldListItsCommandsAndExitCodesWhenAskedForHelp() {
        ToolRun run = new ToolRun();

        assertThat(run.run("--help")).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("init", "show", "refresh", "test", "broker", "Exit codes:",
            "3   temporary failure");
    }

    @Test
    void toolShouldExitWithUsageWhenArgumentsAreWrong() {
        assertThat(new ToolRun().run("frobnicate")).isEqualTo(TokenTool.USAGE);
        assertThat(new ToolRun().run("show")).isEqualTo(TokenTool.USAGE);
        assertThat(new ToolRun().run("init", dir.resolve("f").toString(), "--user", "a@b")).isEqualTo(TokenTool.USAGE);
        assertThat(new ToolRun().run("init", dir.resolve("f").toString(), "--provider", "yahoo", "--user", "a@b"))
            .isEqualTo(TokenTool.USAGE);
        ToolRun badTenant = new ToolRun();
        assertThat(badTenant.run("init", dir.resolve("f").toString(), "--provider", "microsoft", "--tenant", "../evil",
            "--client-id", "x", "--user", "a@b")).isEqualTo(TokenTool.USAGE);
        assertThat(badTenant.err()).contains("tenant '../evil'");
    }

    @Test
    void showShouldPrintAccountExpiryAndRefreshabilityButNoSecret() throws IOException {
        Path f = tokenFile("dave@example.org", "https://login.microsoftonline.com/organizations/oauth2/v2.0/token", true,
            Instant.parse("2026-11-23T12:30:00Z").getEpochSecond());
        ToolRun run = new ToolRun();

        assertThat(run.run("show", f.toString(), "--sasl-xoauth2-config", global().toString())).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("account:        dave@example.org (no user key",
            "present, valid until 2026-11-23 13:30:00 CET", "client id:      mail-client",
            "client secret:  set in the file (not shown)", "organizations/oauth2/v2.0/token", "refreshable:    yes",
            "scopes:         unknown");
        assertNoSecret(run);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }

    @Test
    void showShouldWarnAndExitOneWhenTheFileIsOpenAndHasNoClient() throws IOException {
        Path f = tokenFile("erin@example.org", "https://oauth2.googleapis.com/token", false, 0);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        ToolRun run = new ToolRun();

        assertThat(run.run("show", f.toString(), "--sasl-xoauth2-config", global().toString())).isEqualTo(TokenTool.FAILED);
        assertThat(run.out()).contains("WARNING: readable beyond its owner", "expired (expiry 0)", "refreshable:    no");
        assertNoSecret(run);
    }

    @Test
    void showShouldExitWithUsageWhenTheFileIsNotATokenFile() throws IOException {
        Path notJson = Files.writeString(dir.resolve("x"), "refresh_token=" + REFRESH);
        ToolRun run = new ToolRun();

        assertThat(run.run("show", notJson.toString())).isEqualTo(TokenTool.USAGE);
        assertThat(run.run("show", dir.resolve("missing").toString())).isEqualTo(TokenTool.USAGE);
        assertThat(run.err()).contains("not a usable token file", "cannot be read");
        assertNoSecret(run);
    }

    @Test
    void refreshShouldExitOneWithAdviceWhenTheServerRefusesTheRefreshToken() throws IOException {
        MockOAuth2Server server = new MockOAuth2Server();
        server.start(InetAddress.getLoopbackAddress(), 0);
        try {
            Path f = tokenFile("frank@example.org", server.tokenEndpointUrl("default").toString(), true, 0);
            String before = Files.readString(f);
            ToolRun run = new ToolRun();

            assertThat(run.run("refresh", f.toString(), "--sasl-xoauth2-config", global().toString())).isEqualTo(TokenTool.FAILED);
            assertThat(run.err()).contains("invalid_grant", "diagnosis [invalid_grant]", "token init");
            assertNoSecret(run);
            assertThat(Files.readString(f)).isEqualTo(before);
        } finally {
            server.shutdown();
        }
    }

    @Test
    void refreshShouldExitThreeWhenTheEndpointCannotBeReached() throws IOException {
        int closed = TestPorts.closedPort();
        Path f = tokenFile("gina@example.org", "http://127.0.0.1:" + closed + "/token", true, 0);
        ToolRun run = new ToolRun();

        assertThat(run.run("refresh", f.toString(), "--sasl-xoauth2-config", global().toString())).isEqualTo(TokenTool.TEMPORARY);
        assertThat(run.err()).contains("cannot reach token endpoint", "diagnosis [unreachable]");
        assertNoSecret(run);
    }

    @Test
    void testShouldExplainAPastedErrorText() {
        ToolRun run = new ToolRun();

        assertThat(run.run("test", "--explain", "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is"
            + " disabled for the Tenant.")).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("[5.7.139]", "Set-CASMailbox");
        assertThat(new ToolRun().run("test", "--explain", "250 OK")).isEqualTo(TokenTool.FAILED);
    }

    @Test
    void launcherScriptShouldRunTheToolAndPassItsExitCode() throws Exception {
        Path script = Path.of("src/main/scripts/token").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "show", dir.resolve("missing").toString())
            .redirectErrorStream(true);
        pb.environment().put("TOKEN_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(p.waitFor()).as(output).isEqualTo(TokenTool.USAGE);
        assertThat(output).contains("token show: ", "cannot be read");
    }

    @Test
    void brokerShouldExitWithUsageWhenAnAccountHasNoTokenFile() throws IOException {
        Path config = Files.writeString(dir.resolve("broker.xml"), "<broker socket=\"" + dir.resolve("b.sock")
            + "\">\n  <account name=\"nobody@example.org\" allow=\"" + System.getProperty("user.name") + "\"/>\n</broker>\n");
        ToolRun run = new ToolRun();

        assertThat(run.run("broker", config.toString(), "--token-dir", dir.toString(), "--sasl-xoauth2-config",
            global().toString())).isEqualTo(2);
        assertThat(run.err()).contains("nobody@example.org", "no token file", "token init");
    }
}
