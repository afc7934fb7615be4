package org.jamespack.relay.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;

/**
 * Test token source: real client-credentials tokens from mock-oauth2-server, cached until a
 * forced refresh. Each issued token is handed to {@code onIssued}, which the tests use to make
 * GreenMail accept exactly that token (GreenMail's XOAUTH2 compares the token with the user's
 * password; it cannot introspect). Stands in for the pack's token sources, written elsewhere.
 */
public final class MockServerTokenSource implements TokenSource {

    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final String account;
    private final URI tokenEndpoint;
    private final Consumer<String> onIssued;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger forced = new AtomicInteger();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private volatile String cached;

    public MockServerTokenSource(String account, URI tokenEndpoint, Consumer<String> onIssued) {
        this.account = account;
        this.tokenEndpoint = tokenEndpoint;
        this.onIssued = onIssued;
    }

    /** Starts with a token the smarthost does not (or no longer) accept, as after a revocation. */
    public MockServerTokenSource withCachedToken(String token) {
        this.cached = token;
        issued.add(token);
        return this;
    }

    @Override
    public synchronized TokenOutcome token(boolean forceRefresh) {
        if (forceRefresh) {
            forced.incrementAndGet();
        }
        if (cached == null || forceRefresh) {
            String token = fetch();
            fetches.incrementAndGet();
            issued.add(token);
            onIssued.accept(token);
            cached = token;
        }
        return new TokenOutcome.Token(Secret.of(cached), Instant.now().plusSeconds(3600));
    }

    /** A fresh token from the server (not cached, not announced). */
    public String fetch() {
        try {
            HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + account.replace("@", "%40")
                    + "&client_secret=test-secret&scope=https%3A%2F%2Foutlook.office.com%2FSMTP.Send"))
                .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Matcher m = ACCESS_TOKEN.matcher(response.body());
            if (response.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("token endpoint answered " + response.statusCode());
            }
            return m.group(1);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int fetches() {
        return fetches.get();
    }

    public int forcedRefreshes() {
        return forced.get();
    }

    /** Every token this source ever held. */
    public List<String> issued() {
        return List.copyOf(issued);
    }

    @Override
    public String account() {
        return account;
    }
}
