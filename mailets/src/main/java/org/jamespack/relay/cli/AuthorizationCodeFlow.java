package org.jamespack.relay.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.EndpointSettings;
import org.jamespack.relay.token.GrantResult;
import org.jamespack.relay.token.TokenOutcome;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import net.jcip.annotations.NotThreadSafe;

/**
 * The authorization-code grant with PKCE (RFC 7636, S256) for native apps (RFC 8252): the browser
 * comes back to a listener on {@code http://127.0.0.1:PORT/} (§7.3, loopback), or, on a host
 * without a browser, the user pastes the URL the browser ended on (sasl-xoauth2's way). The
 * {@code state} is checked in both. Not thread-safe: one flow, one run.
 *
 * <p>The listener is the JDK's {@code com.sun.net.httpserver}: it answers one redirect on the
 * loopback interface only, which needs no web framework.
 */
@NotThreadSafe
final class AuthorizationCodeFlow {

    /** What the browser shows after the redirect; no code or token is echoed. */
    private static final String DONE_PAGE = "<!doctype html><html><body><p>The token tool received the answer."
        + " You may close this window.</p></body></html>";

    private final Provider provider;
    private final EndpointSettings token;
    private final String clientId;
    private final Optional<Secret> clientSecret;
    private final Optional<String> loginHint;
    private final Clock clock;
    private final PrintStream out;
    private final CodeVerifier verifier = new CodeVerifier();
    private final State state = new State();

    AuthorizationCodeFlow(Provider provider, EndpointSettings token, String clientId, Optional<Secret> clientSecret,
                          Optional<String> loginHint, Clock clock, PrintStream out) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.token = token;
        this.clientId = clientId;
        this.clientSecret = clientSecret.filter(s -> !s.isEmpty());
        this.loginHint = loginHint;
        this.clock = clock;
        this.out = out;
    }

    /** The URL the user opens; public information (PKCE keeps the verifier here). */
    URI authorizationUrl(URI redirect) {
        URI endpoint = provider.authorizationEndpoint().orElseThrow(() ->
            new IllegalArgumentException("no authorization endpoint: give --authorization-endpoint"));
        AuthorizationRequest.Builder b = new AuthorizationRequest.Builder(new ResponseType(ResponseType.Value.CODE),
            new ClientID(clientId))
            .endpointURI(endpoint)
            .redirectionURI(redirect)
            .scope(Scope.parse(provider.scope()))
            .state(state)
            .codeChallenge(verifier, CodeChallengeMethod.S256);
        loginHint.ifPresent(h -> b.customParameter("login_hint", h));
        provider.extraParameters().forEach(b::customParameter);
        return b.build().toURI();
    }

    /**
     * Listens on {@code 127.0.0.1:port} (0 = a free port), shows the URL (and opens a browser through
     * {@code browser}), waits for the redirect, and exchanges the code.
     */
    TokenCalls.Reply viaLoopback(int port, Duration timeout, BrowserOpener browser) throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        CompletableFuture<URI> answer = new CompletableFuture<>();
        server.createContext("/", exchange -> receive(exchange, answer));
        server.start();
        try {
            URI redirect = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            URI url = authorizationUrl(redirect);
            out.println("Open this URL in a browser and sign in as " + loginHint.orElse("the mailbox") + ":");
            out.println();
            out.println("  " + url);
            out.println();
            out.println("Waiting up to " + ShowCommand.human(timeout) + " for the browser to come back to " + redirect
                + " (from another machine: ssh -L " + server.getAddress().getPort() + ":127.0.0.1:"
                + server.getAddress().getPort() + " this-host, or use --paste).");
            out.flush();
            browser.open(url);
            URI back;
            try {
                back = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                return failed(TokenOutcome.Kind.TRANSIENT, "no answer from the browser within " + ShowCommand.human(timeout)
                    + "; run token init again (or use --paste)");
            } catch (ExecutionException e) {
                return failed(TokenOutcome.Kind.TRANSIENT, "the loopback listener failed: " + e.getCause());
            }
            return exchangeCode(back, redirect);
        } finally {
            server.stop(0);
        }
    }

    /** Shows the URL, reads the URL the browser ended on from {@code in}, and exchanges the code. */
    TokenCalls.Reply viaPaste(URI redirect, BufferedReader in) throws IOException {
        out.println("Open this URL in a browser and sign in as " + loginHint.orElse("the mailbox") + ":");
        out.println();
        out.println("  " + authorizationUrl(redirect));
        out.println();
        out.println("The browser then goes to " + redirect + "… (a blank or failed page is expected).");
        out.print("Paste that whole URL here: ");
        out.flush();
        String line = in.readLine();
        if (line == null || line.isBlank()) {
            return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "no URL was pasted");
        }
        URI back;
        try {
            back = URI.create(line.trim());
        } catch (IllegalArgumentException e) {
            return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "what was pasted is not a URL");
        }
        return exchangeCode(back, redirect);
    }

    private void receive(HttpExchange exchange, CompletableFuture<URI> answer) throws IOException {
        URI uri = exchange.getRequestURI();
        // Only the answer to this sign-in (its state) ends the wait: another local process
        // calling the port first must not make the real answer be lost.
        boolean ours = uri.getRawQuery() != null && stateOf(uri).filter(state::equals).isPresent();
        byte[] body = (ours ? DONE_PAGE : "<!doctype html><html><body><p>Waiting for the sign-in.</p></body></html>")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(ours ? 200 : 404, body.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(body);
        }
        if (ours) {
            answer.complete(uri);
        }
    }

    private static Optional<State> stateOf(URI uri) {
        try {
            return Optional.ofNullable(AuthorizationResponse.parse(uri).getState());
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    private TokenCalls.Reply exchangeCode(URI back, URI redirect) {
        AuthorizationResponse response;
        try {
            response = AuthorizationResponse.parse(back);
        } catch (ParseException e) {
            return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the URL carries no authorization code");
        }
        if (!state.equals(response.getState())) {
            // Another sign-in's answer, or a forged one (RFC 6749 §10.12): never exchange it.
            return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the answer's state does not match this sign-in");
        }
        if (response instanceof AuthorizationErrorResponse error) {
            var e = error.getErrorObject();
            return new TokenCalls.Reply(new GrantResult.Failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the sign-in failed: "
                + e.getCode() + (e.getDescription() == null ? "" : " (" + e.getDescription() + ")")),
                Optional.ofNullable(e.getCode()), Optional.empty());
        }
        AuthorizationCode code = ((AuthorizationSuccessResponse) response).getAuthorizationCode();
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(code, redirect, verifier);
        TokenRequest request = clientSecret.isPresent()
            ? new TokenRequest(token.tokenEndpoint(), new ClientSecretPost(new ClientID(clientId),
                new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.get().reveal())), grant, null)
            : new TokenRequest(token.tokenEndpoint(), new ClientID(clientId), grant, null);
        return TokenCalls.send(request, token, clock);
    }

    private static TokenCalls.Reply failed(TokenOutcome.Kind kind, String detail) {
        return new TokenCalls.Reply(new GrantResult.Failed(kind, detail), Optional.empty(), Optional.empty());
    }

    /** Opens a URL in the user's browser, when there is one. Implementations are thread-safe. */
    @FunctionalInterface
    interface BrowserOpener {

        BrowserOpener NONE = url -> {
        };

        /** The desktop's browser through AWT, only when a display is there; silent otherwise (the URL is printed anyway). */
        BrowserOpener DESKTOP = url -> {
            try {
                if (!java.awt.GraphicsEnvironment.isHeadless() && java.awt.Desktop.isDesktopSupported()
                    && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
                    java.awt.Desktop.getDesktop().browse(url);
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                // no browser here: the user opens the printed URL
                return;
            }
        };

        void open(URI url);
    }
}
