package org.jamespack.relay.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.EndpointSettings;
import org.jamespack.relay.token.GrantResult;
import org.jamespack.relay.token.TokenEndpointCall;
import org.jamespack.relay.token.TokenOutcome;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;

import net.jcip.annotations.NotThreadSafe;

/**
 * The device authorization grant (RFC 8628) with Nimbus: ask for a user code, show it with the
 * verification URL, then poll the token endpoint while a countdown runs, honouring
 * {@code interval}, {@code slow_down} (+5 s, §3.5), {@code authorization_pending},
 * {@code expired_token} and {@code access_denied}. Not thread-safe: one flow, one user, one run.
 */
@NotThreadSafe
final class DeviceCodeFlow {

    /** RFC 8628 §3.2: the interval when the server gives none. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    /** RFC 8628 §3.5: what slow_down adds to the interval. */
    static final Duration SLOW_DOWN_STEP = Duration.ofSeconds(5);

    private final URI deviceEndpoint;
    private final EndpointSettings token;
    private final String clientId;
    private final Optional<Secret> clientSecret;
    private final String scope;
    private final Clock clock;
    private final Sleeper sleeper;
    private final PrintStream out;
    private final boolean live;

    DeviceCodeFlow(URI deviceEndpoint, EndpointSettings token, String clientId, Optional<Secret> clientSecret, String scope,
                   Clock clock, Sleeper sleeper, PrintStream out, boolean live) {
        this.deviceEndpoint = Objects.requireNonNull(deviceEndpoint, "deviceEndpoint");
        this.token = token;
        this.clientId = clientId;
        this.clientSecret = clientSecret.filter(s -> !s.isEmpty());
        this.scope = scope;
        this.clock = clock;
        this.sleeper = sleeper;
        this.out = out;
        this.live = live;
    }

    TokenCalls.Reply run() throws InterruptedException {
        // The device endpoint gets the same https-only rule, time-outs, TLS and proxy as the token endpoint.
        EndpointSettings device = token.withTokenEndpoint(deviceEndpoint);
        Scope s = Scope.parse(scope);
        DeviceAuthorizationRequest request = clientSecret.isPresent()
            ? new DeviceAuthorizationRequest(deviceEndpoint, new ClientSecretPost(new ClientID(clientId),
                new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.get().reveal())), s, Map.of())
            : new DeviceAuthorizationRequest(deviceEndpoint, new ClientID(clientId), s);
        DeviceAuthorizationResponse response;
        try {
            HTTPResponse http = TokenEndpointCall.prepare(request.toHTTPRequest(), device).send();
            response = DeviceAuthorizationResponse.parse(http);
        } catch (IOException e) {
            return failed(TokenOutcome.Kind.TRANSIENT, "cannot reach device endpoint " + deviceEndpoint + ": "
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        } catch (ParseException e) {
            return failed(TokenOutcome.Kind.TRANSIENT, "device endpoint " + deviceEndpoint + " gave no readable RFC 8628 answer");
        }
        if (response instanceof DeviceAuthorizationErrorResponse error) {
            ErrorObject e = error.getErrorObject();
            return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "device endpoint " + deviceEndpoint + " answered HTTP "
                + e.getHTTPStatusCode() + ": " + e.getCode() + (e.getDescription() == null ? "" : " (" + e.getDescription() + ")"));
        }
        DeviceAuthorizationSuccessResponse ok = (DeviceAuthorizationSuccessResponse) response;
        Instant deadline = clock.instant().plusSeconds(ok.getLifetime());
        Duration interval = ok.getInterval() > 0 ? Duration.ofSeconds(ok.getInterval()) : DEFAULT_INTERVAL;
        out.println("To sign in, open " + ok.getVerificationURI() + " and enter the code " + ok.getUserCode().getValue());
        if (ok.getVerificationURIComplete() != null) {
            out.println("(or open " + ok.getVerificationURIComplete() + ")");
        }
        out.println("The code expires in " + minutes(Duration.between(clock.instant(), deadline)) + ".");
        TokenRequest poll = clientSecret.isPresent()
            ? new TokenRequest(token.tokenEndpoint(), new ClientSecretPost(new ClientID(clientId),
                new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.get().reveal())), new DeviceCodeGrant(ok.getDeviceCode()), null)
            : new TokenRequest(token.tokenEndpoint(), new ClientID(clientId), new DeviceCodeGrant(ok.getDeviceCode()), null);
        while (true) {
            if (!countdown(interval, deadline)) {
                endLine();
                return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the code expired before anyone signed in; run token init again");
            }
            TokenCalls.Reply reply = TokenCalls.send(poll, token, clock);
            if (reply.result() instanceof GrantResult.Issued) {
                endLine();
                return reply;
            }
            String code = reply.errorCode().map(c -> c.toLowerCase(Locale.ROOT)).orElse("");
            switch (code) {
                case "authorization_pending" -> {
                    // keep polling at the same interval
                }
                case "slow_down" -> {
                    interval = interval.plus(SLOW_DOWN_STEP);
                    status("the server asked to poll more slowly: every " + interval.toSeconds() + " s");
                }
                case "expired_token" -> {
                    endLine();
                    return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the code expired before anyone signed in (expired_token);"
                        + " run token init again");
                }
                case "access_denied" -> {
                    endLine();
                    return failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "the sign-in was declined (access_denied)");
                }
                default -> {
                    GrantResult.Failed f = (GrantResult.Failed) reply.result();
                    if (f.kind() == TokenOutcome.Kind.TRANSIENT && code.isEmpty()) {
                        // A network hiccup while the user signs in: the device code is still good, keep polling.
                        status("token endpoint not reachable, still trying: " + f.detail());
                    } else {
                        endLine();
                        return reply;
                    }
                }
            }
        }
    }

    /** Waits {@code interval} in one-second steps showing the time left; false once the code has expired. */
    private boolean countdown(Duration interval, Instant deadline) throws InterruptedException {
        Instant until = clock.instant().plus(interval);
        while (true) {
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                return false;
            }
            if (!now.isBefore(until)) {
                return true;
            }
            if (live) {
                out.print("\r  waiting for the sign-in, " + minutes(Duration.between(now, deadline)) + " left ");
                out.flush();
            }
            Duration step = Duration.between(now, until);
            sleeper.sleep(step.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : step);
        }
    }

    private void status(String line) {
        endLine();
        out.println("  " + line);
    }

    private void endLine() {
        if (live) {
            out.print("\r" + " ".repeat(50) + "\r");
            out.flush();
        }
    }

    private static String minutes(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static TokenCalls.Reply failed(TokenOutcome.Kind kind, String detail) {
        return new TokenCalls.Reply(new GrantResult.Failed(kind, detail), Optional.empty(), Optional.empty());
    }
}
