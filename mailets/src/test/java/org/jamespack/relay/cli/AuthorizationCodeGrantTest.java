package org.jamespack.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.relay.token.TokenFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * {@code token init} with the authorization-code grant and PKCE against mock-oauth2-server, whose
 * authorize endpoint redirects at once (no interactive login): the test plays the browser with the
 * JDK's HttpClient; the tool's loopback listener (or the pasted URL) receives the code. Then
 * {@code token show} and {@code token refresh} on the file written.
 */
class AuthorizationCodeGrantTest {

    private static final Pattern AUTHORIZE_URL = Pattern.compile("(http://\\S+/default/authorize\\?\\S+)");

    @TempDir
    Path dir;

    MockOAuth2Server server;
    Path global;
    final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() throws IOException {
        server = new MockOAuth2Server();
        server.start(InetAddress.getLoopbackAddress(), 0);
        global = Files.writeString(dir.resolve("sasl-xoauth2.conf"), "{}");
    }

    @AfterEach
    void stop() {
        server.shutdown();
    }

    private String[] initArgs(Path file, String... more) throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), "client-secret-value-S1\n");
        String[] base = {"init", file.toString(), "--provider", "google", "--client-id", "mail-client",
            "--client-secret-file", secret.toString(), "--user", "carol@example.org", "--no-browser",
            "--scope", "openid offline_access https://mail.google.com/",
            "--authorization-endpoint", server.authorizationEndpointUrl("default").toString(),
            "--token-endpoint", server.tokenEndpointUrl("default").toString(),
            "--sasl-xoauth2-config", global.toString(), "--timeout", "PT30S"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Waits for the tool to print the authorization URL and returns it. */
    private static URI printedUrl(ToolRun tool, CompletableFuture<Integer> running) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Matcher m = AUTHORIZE_URL.matcher(tool.out());
            if (m.find()) {
                return URI.create(m.group(1));
            }
            assertThat(running).as(tool.all()).isNotDone();
            Thread.sleep(50);
        }
        throw new AssertionError("no authorization URL printed: " + tool.all());
    }

    /** The browser: GET the authorize URL, get the redirect (mock-oauth2-server logs in at once). */
    private URI followAuthorize(URI authorize) throws Exception {
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(authorize).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            // mock-oauth2-server shows its login form when a prompt parameter is present (Google's
            // prompt=consent): the user submits it, as in a real browser.
            assertThat(r.body()).contains("mock-oauth2-server");
            r = browser.send(HttpRequest.newBuilder(authorize).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=carol%40example.org&claims=")).build(),
                HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
        return URI.create(r.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void initShouldExchangeTheCodeWithPkceWhenTheBrowserComesBackToTheLoopbackListener() throws Exception {
        Path file = dir.resolve("carol@example.org");
        ToolRun tool = new ToolRun();
        CompletableFuture<Integer> running = tool.start(initArgs(file));

        URI authorize = printedUrl(tool, running);
        Map<String, String> query = query(authorize);
        assertThat(query).containsEntry("response_type", "code").containsEntry("client_id", "mail-client")
            .containsEntry("code_challenge_method", "S256").containsEntry("access_type", "offline")
            .containsEntry("prompt", "consent").containsEntry("login_hint", "carol@example.org")
            .containsKeys("code_challenge", "state");
        assertThat(query.get("redirect_uri")).matches("http://127\\.0\\.0\\.1:\\d+/");
        URI back = followAuthorize(authorize);
        assertThat(back.toString()).startsWith(query.get("redirect_uri"));
        HttpResponse<String> forged = browser.send(HttpRequest.newBuilder(URI.create(query.get("redirect_uri")
            + "?code=forged&state=other")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(404);
        assertThat(running).isNotDone();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(back).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("You may close this window");
        assertThat(running.get(30, TimeUnit.SECONDS)).as(tool.all()).isEqualTo(TokenTool.OK);
        RecordedRequest tokenCall = tokenRequest();
        Map<String, String> form = form(tokenCall.getBody().readUtf8());
        assertThat(form).containsEntry("grant_type", "authorization_code").containsEntry("client_id", "mail-client")
            .containsEntry("redirect_uri", query.get("redirect_uri")).containsKey("code_verifier");
        assertThat(form.get("code_verifier")).hasSizeGreaterThanOrEqualTo(43);

        TokenFile written = TokenFile.read(file);
        assertThat(written.user()).contains("carol@example.org");
        assertThat(written.clientId()).contains("mail-client");
        assertThat(written.clientSecret().orElseThrow().reveal()).isEqualTo("client-secret-value-S1");
        assertThat(written.tokenEndpoint()).contains(server.tokenEndpointUrl("default").toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertNoSecret(tool.all(), written);
        assertThat(tool.all()).doesNotContain(form.get("code"), form.get("code_verifier"));
    }

    @Test
    void initShouldTakeThePastedUrlWhenTheHostHasNoBrowser() throws Exception {
        Path file = dir.resolve("carol@example.org");
        PipedOutputStream typing = new PipedOutputStream();
        ToolRun tool = new ToolRun(new PipedInputStream(typing), Clock.systemUTC(), Sleeper.REAL, false);
        CompletableFuture<Integer> running = tool.start(initArgs(file, "--paste", "--redirect-uri", "http://127.0.0.1/"));

        URI authorize = printedUrl(tool, running);
        assertThat(query(authorize)).containsEntry("redirect_uri", "http://127.0.0.1/");
        URI back = followAuthorize(authorize);
        typing.write((back + "\n").getBytes(StandardCharsets.US_ASCII));
        typing.flush();

        assertThat(running.get(30, TimeUnit.SECONDS)).as(tool.all()).isEqualTo(TokenTool.OK);
        assertThat(tool.out()).contains("Paste that whole URL here:");
        assertNoSecret(tool.all(), TokenFile.read(file));
    }

    @Test
    void initShouldRefuseAPastedUrlOfAnotherSignIn() throws Exception {
        Path file = dir.resolve("carol@example.org");
        PipedOutputStream typing = new PipedOutputStream();
        ToolRun tool = new ToolRun(new PipedInputStream(typing), Clock.systemUTC(), Sleeper.REAL, false);
        CompletableFuture<Integer> running = tool.start(initArgs(file, "--paste"));

        printedUrl(tool, running);
        typing.write("http://127.0.0.1/?code=stolen-code&state=not-ours\n".getBytes(StandardCharsets.US_ASCII));
        typing.flush();

        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("state does not match");
        assertThat(file).doesNotExist();
    }

    @Test
    void initShouldNotReplaceAnExistingFileWithoutForce() throws Exception {
        Path file = Files.writeString(dir.resolve("carol@example.org"), "{\"refresh_token\":\"keep-me\"}");
        ToolRun tool = new ToolRun();

        assertThat(tool.run(initArgs(file))).isEqualTo(TokenTool.FAILED);
        assertThat(tool.err()).contains("exists; give --force");
        assertThat(Files.readString(file)).contains("keep-me");
    }

    @Test
    void showAndRefreshShouldWorkOnTheFileInitWroteAndKeepItPrivate() throws Exception {
        Path file = dir.resolve("carol@example.org");
        ToolRun init = new ToolRun();
        CompletableFuture<Integer> running = init.start(initArgs(file));
        URI back = followAuthorize(printedUrl(init, running));
        browser.send(HttpRequest.newBuilder(back).GET().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(running.get(30, TimeUnit.SECONDS)).as(init.all()).isEqualTo(TokenTool.OK);
        TokenFile before = TokenFile.read(file);

        ToolRun show = new ToolRun();
        assertThat(show.run("show", file.toString(), "--sasl-xoauth2-config", global.toString())).as(show.all()).isEqualTo(TokenTool.OK);
        assertThat(show.out()).contains("account:        carol@example.org", "scopes:         openid offline_access https://mail.google.com/",
            "client secret:  set in the file (not shown)", "refreshable:    yes", "rw-------", "CET", "(in 59 min");
        assertNoSecret(show.all(), before);

        ToolRun refresh = new ToolRun();
        assertThat(refresh.run("refresh", file.toString(), "--sasl-xoauth2-config", global.toString()))
            .as(refresh.all()).isEqualTo(TokenTool.OK);
        TokenFile after = TokenFile.read(file);
        assertThat(after.accessToken().orElseThrow()).isNotEqualTo(before.accessToken().orElseThrow());
        assertThat(after.user()).contains("carol@example.org");
        assertThat(after.clientSecret()).isEqualTo(before.clientSecret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(refresh.out()).contains("Refreshed " + file + " for carol@example.org");
        assertNoSecret(refresh.all(), before);
        assertNoSecret(refresh.all(), after);
        assertThat(dir.resolve("carol@example.org.lock")).exists();
    }

    /** The token endpoint's request among those the server recorded (the authorize GET and POST come first). */
    private RecordedRequest tokenRequest() {
        for (int i = 0; i < 5; i++) {
            RecordedRequest r = server.takeRequest();
            if (r.getPath() != null && r.getPath().contains("/token")) {
                return r;
            }
        }
        throw new AssertionError("no token request");
    }

    private static void assertNoSecret(String printed, TokenFile f) {
        assertThat(printed).doesNotContain(f.refreshToken().reveal()).doesNotContain("client-secret-value-S1");
        f.accessToken().ifPresent(t -> assertThat(printed).doesNotContain(t.reveal()));
    }

    static Map<String, String> query(URI uri) {
        return form(uri.getRawQuery());
    }

    static Map<String, String> form(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }
}
