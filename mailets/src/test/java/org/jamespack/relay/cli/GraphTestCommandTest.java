package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jamespack.relay.testing.GraphOAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * {@code token test} for a Graph route: the token is had as the relay has it (here a sasl-xoauth2 file holding a token
 * mock-oauth2-server issued), then its audience and {@code Mail.Send} permission are read; nothing goes to Graph.
 */
class GraphTestCommandTest {

    static MockOAuth2Server oauth;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        oauth = GraphOAuth.start();
    }

    @AfterAll
    static void stop() {
        oauth.shutdown();
    }

    private Path tokenFile(String audience, Map<String, Object> claims) throws Exception {
        String token = oauth.issueToken(GraphOAuth.GRAPH, "relay-app", new DefaultOAuth2TokenCallback(GraphOAuth.GRAPH, "relay-app",
            "JWT", List.of(audience), claims, 3600)).serialize();
        Path file = dir.resolve("relay@example.org");
        Files.writeString(file, "{\"access_token\":\"" + token + "\",\"client_id\":\"c\",\"token_endpoint\":\""
            + oauth.tokenEndpointUrl(GraphOAuth.GRAPH) + "\",\"expiry\":\"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond()
            + "\",\"refresh_token\":\"refresh-not-used\",\"user\":\"relay@example.org\"}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private int run(ToolRun run, Path tokenFile) throws Exception {
        Path routes = Files.writeString(dir.resolve("smart-hosts"),
            "example.org: transport=graph user=relay@example.org oauth=" + tokenFile + "\n");
        return run.run("test", "example.org", "--routes", routes.toString(),
            "--sasl-xoauth2-config", Files.writeString(dir.resolve("global.conf"), "{}").toString());
    }

    @Test
    void testShouldPassAGraphRouteWhoseTokenCarriesMailSendForGraph() throws Exception {
        Path file = tokenFile("https://graph.microsoft.com", Map.of("roles", List.of("Mail.Send")));
        String token = com.nimbusds.jwt.JWTParser.parse(new String(Files.readAllBytes(file)).replaceAll(
            "(?s).*\"access_token\":\"([^\"]+)\".*", "$1")).getParsedString();
        ToolRun run = new ToolRun();

        int code = run(run, file);

        assertThat(code).as(run.all()).isEqualTo(TokenTool.OK);
        assertThat(run.out()).contains("route for example.org", "1. token for relay@example.org", "ok: valid until",
            "sendMail at https://graph.microsoft.com/v1.0", "nothing is sent", "application permission Mail.Send",
            "ok: audience Graph and Mail.Send");
        assertThat(run.all()).doesNotContain(token, "refresh-not-used");
    }

    @Test
    void testShouldFailAGraphRouteWhoseTokenLacksMailSendAndSaySo() throws Exception {
        ToolRun run = new ToolRun();

        int code = run(run, tokenFile("https://graph.microsoft.com", Map.of("roles", List.of("User.Read.All"))));

        assertThat(code).as(run.all()).isEqualTo(TokenTool.FAILED);
        assertThat(run.out()).as(run.all()).contains("no Mail.Send in the token", "admin consent", "failed: Graph would refuse");
    }

    @Test
    void testShouldFailAGraphRouteWhoseTokenIsForSmtp() throws Exception {
        ToolRun run = new ToolRun();

        int code = run(run, tokenFile("https://outlook.office365.com", Map.of("roles", List.of("SMTP.SendAsApp"))));

        assertThat(code).as(run.all()).isEqualTo(TokenTool.FAILED);
        assertThat(run.out()).as(run.all()).contains("is not Graph", "https://graph.microsoft.com/.default");
    }
}
