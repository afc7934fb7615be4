package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenRegistryTest {

    @TempDir
    Path dir;
    private TokenEndpointStandIn endpoint;
    private ConfigProblems problems;

    @BeforeEach
    void start() throws Exception {
        endpoint = new TokenEndpointStandIn();
        problems = new ConfigProblems();
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private TokenRegistry registry(String innerXml) throws Exception {
        Path xml = dir.resolve("mailetcontainer.xml");
        Files.writeString(xml, "<mailet match=\"All\" class=\"XOAuth2Relay\">\n" + innerXml + "\n</mailet>\n");
        ConfigNode root = ConfigNode.parse(xml, problems);
        return TokenRegistry.fromConfig(root.children("tokenSource"), root);
    }

    @Test
    void fromConfigShouldDeclareEveryTypeWhenTheSettingsAreComplete() throws Exception {
        KeyPair pair = TestKeys.rsa();
        Path cert = Files.writeString(dir.resolve("app.crt"), TestKeys.pem(TestKeys.selfSigned(pair, "app")));
        Path key = Files.writeString(dir.resolve("app.key"), TestKeys.pem(pair.getPrivate()));
        Path google = TestKeys.googleKeyFile(dir, pair, "relay@p.iam.gserviceaccount.com", endpoint.uri().toString());

        TokenRegistry registry = registry(""
            + "<tokenSource name=\"m365\" type=\"refresh-token\" clientId=\"c1\" tokenEndpoint=\"" + endpoint.uri() + "\">\n"
            + "  <refreshToken>refresh-SECRET</refreshToken>\n"
            + "</tokenSource>\n"
            + "<tokenSource name=\"m365-file\" type=\"refresh-token\" clientId=\"c1\" tokenFile=\"" + dir + "/{account}.json\"/>\n"
            + "<tokenSource name=\"app-secret\" type=\"client-credentials\" clientId=\"app\" clientSecret=\"cs-SECRET\"\n"
            + "             tokenEndpoint=\"" + endpoint.uri() + "\" refreshWindow=\"15m\" connectTimeout=\"3s\" readTimeout=\"7s\"/>\n"
            + "<tokenSource name=\"app-cert\" type=\"client-credentials\" clientId=\"app\" certificate=\"" + cert + "\"\n"
            + "             privateKey=\"" + key + "\" tokenEndpoint=\"" + endpoint.uri() + "\"/>\n"
            + "<tokenSource name=\"gmail\" type=\"jwt-bearer\" serviceAccountKeyFile=\"" + google + "\" assertionLifetime=\"30m\"/>\n"
            + "<tokenSource name=\"files\" type=\"token-file\" path=\"" + dir + "/tokens/{account}\"/>\n"
            + "<tokenSource name=\"cms\" type=\"broker\" socket=\"" + dir + "/cms.sock\" timeout=\"2s\"/>\n");

        assertThat(problems.list()).isEmpty();
        assertThat(registry.names()).containsExactly("m365", "m365-file", "app-secret", "app-cert", "gmail", "files", "cms");
        assertThat(registry.resolve("m365", "a@example.org")).isInstanceOf(RefreshingTokenSource.class);
        assertThat(registry.resolve("cms", "a@example.org")).isInstanceOf(BrokerTokenSource.class);
        assertThat(((RefreshingTokenSource) registry.resolve("app-secret", "a@example.org")).window())
            .isEqualTo(Duration.ofMinutes(15));
        assertThat(((RefreshingTokenSource) registry.resolve("m365", "a@example.org")).window())
            .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void resolveShouldGetTokensFromEachDeclaredGrantWhenAsked() throws Exception {
        KeyPair pair = TestKeys.rsa();
        Path google = TestKeys.googleKeyFile(dir, pair, "relay@p.iam.gserviceaccount.com", endpoint.uri().toString());
        TokenRegistry registry = registry(""
            + "<tokenSource name=\"m365\" type=\"refresh-token\" clientId=\"c1\" tokenEndpoint=\"" + endpoint.uri() + "\""
            + " refreshToken=\"refresh-SECRET\"/>\n"
            + "<tokenSource name=\"app\" type=\"client-credentials\" clientId=\"app\" clientSecret=\"cs-SECRET\""
            + " tokenEndpoint=\"" + endpoint.uri() + "\"/>\n"
            + "<tokenSource name=\"gmail\" type=\"jwt-bearer\" serviceAccountKeyFile=\"" + google + "\"/>\n");

        assertThat(registry.resolve("m365", "a@example.org").token(false)).isInstanceOf(TokenOutcome.Token.class);
        assertThat(registry.resolve("app", "a@example.org").token(false)).isInstanceOf(TokenOutcome.Token.class);
        assertThat(registry.resolve("gmail", "bob@example.org").token(false)).isInstanceOf(TokenOutcome.Token.class);

        assertThat(endpoint.requests()).extracting(r -> r.get("grant_type")).containsExactly("refresh_token",
            "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        assertThat(endpoint.requests().get(1)).containsEntry("scope", ClientCredentialsGrantCall.MICROSOFT_SMTP_SCOPE);
    }

    @Test
    void resolveShouldReturnOneSourcePerReferenceAndAccountWhenAskedAgain() throws Exception {
        TokenRegistry registry = registry("<tokenSource name=\"cms\" type=\"broker\" socket=\"" + dir + "/cms.sock\"/>");

        TokenSource a1 = registry.resolve("cms", "a@example.org");

        assertThat(registry.resolve("cms", "a@example.org")).isSameAs(a1);
        assertThat(registry.resolve("cms", "b@example.org")).isNotSameAs(a1);
        assertThat(registry.resolve("cms", "b@example.org").account()).isEqualTo("b@example.org");
        assertThat(registry.statuses()).hasSize(2);
    }

    @Test
    void resolveShouldRefreshAPathTokenFileWithTheGlobalSaslXoauth2DefaultsWhenTheFileHasOnlyTokens() throws Exception {
        Path global = Files.writeString(dir.resolve("sasl-xoauth2.conf"), "{\n  \"client_id\": \"global-client\",\n"
            + "  \"client_secret\": \"global-SECRET\",\n  \"token_endpoint\": \"" + endpoint.uri() + "\",\n"
            + "  \"log_to_syslog_on_failure\": \"no\"\n}\n");
        Path tokens = Files.writeString(dir.resolve("alice@example.org"), TokenFileTest.SEED_TOKEN_FILE);
        TokenRegistry registry = registry("<saslXoauth2Config>" + global + "</saslXoauth2Config>");

        TokenSource source = registry.resolve(tokens.toString(), "alice@example.org");
        TokenOutcome outcome = source.token(false);

        assertThat(problems.list()).isEmpty();
        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
        assertThat(endpoint.requests().get(0)).containsEntry("client_id", "global-client")
            .containsEntry("client_secret", "global-SECRET").containsEntry("refresh_token", "refresh token goes here");
        assertThat(TokenFile.read(tokens).accessToken()).map(Secret::reveal).contains("access-1");
    }

    @Test
    void resolveShouldUseThePerFileClientOverTheGlobalFileWhenBothAreSet() throws Exception {
        Path global = Files.writeString(dir.resolve("sasl-xoauth2.conf"), TokenFileTest.SEED_GLOBAL_GMAIL);
        Path tokens = Files.writeString(dir.resolve("bob@example.org"), "{\"client_id\":\"per-file\","
            + "\"token_endpoint\":\"" + endpoint.uri() + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");
        TokenRegistry registry = registry("<saslXoauth2Config>" + global + "</saslXoauth2Config>");

        registry.resolve(tokens.toString(), "bob@example.org").token(false);

        assertThat(endpoint.requests().get(0)).containsEntry("client_id", "per-file")
            .containsEntry("client_secret", "client secret goes here");
    }

    @Test
    void resolveShouldAskABrokerWhenThePathIsAUnixSocket() throws Exception {
        Path socket = dir.resolve("broker");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            TokenRegistry registry = registry("");

            assertThat(inUse(registry.resolve(socket.toString(), "a@example.org"))).isInstanceOf(BrokerTokenSource.class);
            assertThat(inUse(registry.resolve(dir + "/not-yet.sock", "a@example.org"))).isInstanceOf(BrokerTokenSource.class);
            assertThat(inUse(registry.resolve(dir + "/not-yet-a-file", "a@example.org"))).isInstanceOf(RefreshingTokenSource.class);
        }
    }

    @Test
    void resolveShouldRefuseWhenTheReferenceIsNeitherANameNorAnAbsolutePath() throws Exception {
        TokenRegistry registry = registry("");

        assertThatThrownBy(() -> registry.resolve("m365", "a@example.org"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m365");
        assertThatThrownBy(() -> registry.resolve(dir.toString(), "a@example.org"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> registry.resolve("/x", " ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolveShouldRefuseAnAccountThatWouldLeaveTheDirectoryWhenThePathHasAPlaceholder() throws Exception {
        TokenRegistry registry = registry("<tokenSource name=\"files\" type=\"token-file\" path=\"" + dir + "/{account}\"/>");

        assertThatThrownBy(() -> registry.resolve("files", "../../etc/passwd"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.resolve("files", "ok@example.org").token(false))
            .as("the file does not exist yet").isInstanceOfSatisfying(TokenOutcome.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN));
    }

    @Test
    void fromConfigShouldReportEveryProblemWithLineAndKeyButNoSecretWhenMisconfigured() throws Exception {
        registry(""
            + "<tokenSource name=\"a\" type=\"refresh-token\" clientSecret=\"cs-SECRET-1\" refreshToken=\"rt-SECRET-2\"/>\n"
            + "<tokenSource name=\"b\" type=\"client-credentials\" clientId=\"x\" clientSecret=\"cs-SECRET-3\"\n"
            + "             certificate=\"/nope.crt\" privateKey=\"/nope.key\" tokenEndpoint=\"https://login.example/t\"/>\n"
            + "<tokenSource name=\"c\" type=\"telepathy\"/>\n"
            + "<tokenSource name=\"d\" type=\"broker\" socket=\"relative.sock\" timout=\"3s\"/>\n"
            + "<tokenSource name=\"e\" type=\"token-file\" path=\"/t/{account}\" refreshWindow=\"soon\""
            + " trustStorePassword=\"ts-SECRET-4\" trustStore=\"/nope.p12\"/>\n"
            + "<tokenSource name=\"a\" type=\"broker\" socket=\"/run/cms.sock\"/>\n"
            + "<tokenSource type=\"broker\" socket=\"/run/cms.sock\"/>\n"
            + "<tokenSource name=\"/etc/x\" type=\"broker\" socket=\"/run/cms.sock\"/>\n"
            + "<tokenSource name=\"f\" type=\"jwt-bearer\" serviceAccountKeyFile=\"/nope.json\" assertionLifetime=\"2h\"/>\n"
            + "<tokenSource name=\"g\" type=\"client-credentials\" clientId=\"x\" clientSecret=\"cs-SECRET-5\""
            + " tokenEndpoint=\"http://login.example/token\"/>\n");

        String all = String.join("\n", problems.list());
        assertThat(problems.list()).anySatisfy(p -> assertThat(p).contains(":2:").contains("tokenEndpoint").contains("required"));
        assertThat(all).contains("clientSecret: give either clientSecret or certificate and privateKey")
            .contains("type: 'telepathy' is not one of")
            .contains("socket: 'relative.sock' must be an absolute path")
            .contains("timout: unknown setting")
            .contains("refreshWindow: 'soon' is not a duration")
            .contains("trustStore")
            .contains("'a' is declared twice")
            .contains("name: is required")
            .contains("'/etc/x' must be letters")
            .contains("assertionLifetime")
            .contains("serviceAccountKeyFile")
            .contains("tokenEndpoint: token endpoint must be an https URL");
        assertThat(all).doesNotContain("SECRET");
    }

    @Test
    void builderShouldServeHandMadeSourcesWhenUsedInCode() {
        TokenGrant grant = ClientCredentialsGrantCall.withSecret(EndpointSettings.of(endpoint.uri()), "app",
            Secret.of("s"), Optional.empty(), java.time.Clock.systemUTC());
        try (TokenRegistry registry = TokenRegistry.builder()
            .source("app", account -> RefreshingTokenSource.inMemory(account, "app", grant, Optional.empty(),
                Duration.ofMinutes(10)))
            .build()) {

            assertThat(registry.resolve("app", "x@example.org").token(false)).isInstanceOf(TokenOutcome.Token.class);
            assertThat(registry.refreshIdle(Duration.ZERO)).as("no refresh token to keep alive").isZero();
            assertThat(registry.statuses()).singleElement()
                .satisfies(s -> assertThat(s.endpointCalls()).isEqualTo(1));
        }
    }

    @Test
    void refreshIdleShouldKeepRefreshTokensAliveWhenAccountsAreQuiet() throws Exception {
        endpoint.replies(n -> Reply.token("access-" + n, 3600, null));
        TokenRegistry registry = registry("<tokenSource name=\"m365\" type=\"refresh-token\" clientId=\"c1\""
            + " tokenEndpoint=\"" + endpoint.uri() + "\" refreshToken=\"r\"/>");
        registry.resolve("m365", "a@example.org").token(false);

        assertThat(registry.refreshIdle(Duration.ofDays(30))).isZero();
        assertThat(registry.refreshIdle(Duration.ZERO)).isEqualTo(1);
        assertThat(endpoint.calls()).isEqualTo(2);
    }

    @Test
    void packageInfoShouldDocumentEveryKeyWhenTheParserReadsIt() throws Exception {
        String doc = Files.readString(Path.of("src/main/java/org/jamespack/relay/token/package-info.java"));
        Set<String> documented = new LinkedHashSet<>();
        Matcher m = Pattern.compile("<tr><td>([A-Za-z0-9]+)</td>").matcher(doc);
        while (m.find()) {
            documented.add(m.group(1));
        }
        List<String> keys = new ArrayList<>();
        for (Field f : TokenSourceConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && (!f.getName().endsWith("_TYPE") || f.getName().equals("TRUST_STORE_TYPE"))
                && !f.getName().equals("ACCOUNT_PLACEHOLDER")) {
                keys.add((String) f.get(null));
            }
        }

        assertThat(documented).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void resolveShouldSendNoClientSecretWhenTheTokenFileSetsAnEmptyOneOverTheGlobalSecret() throws Exception {
        // a Microsoft public client beside a Gmail global file, as sasl-xoauth2's README sets it up
        Path global = Files.writeString(dir.resolve("sasl-xoauth2.conf"), TokenFileTest.SEED_GLOBAL_GMAIL);
        Path tokens = Files.writeString(dir.resolve("carol@example.org"), "{\"client_id\":\"ms-public\",\"client_secret\":\"\","
            + "\"token_endpoint\":\"" + endpoint.uri() + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");
        TokenRegistry registry = registry("<saslXoauth2Config>" + global + "</saslXoauth2Config>");

        TokenOutcome outcome = registry.resolve(tokens.toString(), "carol@example.org").token(false);

        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
        assertThat(endpoint.requests().get(0)).containsEntry("client_id", "ms-public").doesNotContainKey("client_secret");
    }

    @Test
    void resolveShouldRefuseAnEmptyClientIdInTheTokenFileInsteadOfTakingTheGlobalOne() throws Exception {
        Path global = Files.writeString(dir.resolve("sasl-xoauth2.conf"), TokenFileTest.SEED_GLOBAL_GMAIL);
        Path tokens = Files.writeString(dir.resolve("dave@example.org"), "{\"client_id\":\"\","
            + "\"token_endpoint\":\"" + endpoint.uri() + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");
        TokenRegistry registry = registry("<saslXoauth2Config>" + global + "</saslXoauth2Config>");

        TokenOutcome outcome = registry.resolve(tokens.toString(), "dave@example.org").token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("'client_id' is empty in the token file");
        });
        assertThat(endpoint.requests()).isEmpty();
    }

    private static TokenSource inUse(TokenSource resolved) {
        return ((PathTokenSource) resolved).now();
    }

    @Test
    void resolveShouldUseABrokerThatStartsAfterTheRouteWasFirstUsed() throws Exception {
        // a CMS socket path without .sock: taken for a token file while nothing is there
        Path path = dir.resolve("cms-credentials");
        TokenRegistry registry = registry("");
        TokenSource source = registry.resolve(path.toString(), "alice@example.org");

        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.detail()).contains("does not exist"));

        try (var cms = new org.jamespack.relay.testing.CmsCredentialServer(path, java.util.Map.of("alice@example.org", "tok-A"))) {
            assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Token.class,
                t -> assertThat(t.accessToken().reveal()).isEqualTo("tok-A"));
            assertThat(source.status().source()).contains("broker");
        }
    }

    @Test
    void resolveShouldUseATokenFileWrittenWhereABrokerSocketWas() throws Exception {
        Path path = dir.resolve("account.sock");
        TokenRegistry registry = registry("");
        TokenSource source = registry.resolve(path.toString(), "alice@example.org");
        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));

        Files.writeString(path, "{\"client_id\":\"c\",\"token_endpoint\":\"" + endpoint.uri()
            + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");

        assertThat(source.token(false)).isInstanceOf(TokenOutcome.Token.class);
        assertThat(endpoint.requests()).hasSize(1);
    }
}
