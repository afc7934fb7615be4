package org.jamespack.relay.cli;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.jamespack.relay.token.EndpointSettings;
import org.jamespack.relay.token.GrantResult;
import org.jamespack.relay.token.TokenEndpointCall;
import org.jamespack.relay.token.TokenOutcome;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;

import net.jcip.annotations.Immutable;

/**
 * One token request of {@code token init}, sent and classified by the relay's own
 * {@link TokenEndpointCall} (same time-outs, TLS and proxy handling, same classification), plus
 * the two things the first grant needs and a refresh does not: the RFC 6749 error code (RFC 8628
 * polling acts on {@code authorization_pending} and {@code slow_down}) and the granted scope (for
 * {@code token show}). Stateless and thread-safe.
 */
@Immutable
final class TokenCalls {

    /** A classified reply with what {@code token init} needs besides. */
    record Reply(GrantResult result, Optional<String> errorCode, Optional<String> scope) {
    }

    private TokenCalls() {
    }

    static Reply send(TokenRequest request, EndpointSettings endpoint, Clock clock) {
        HTTPRequest http = request.toHTTPRequest();
        List<String> sent = TokenEndpointCall.secretsIn(http);
        HTTPResponse response;
        try {
            response = TokenEndpointCall.prepare(http, endpoint).send();
        } catch (IOException e) {
            return new Reply(TokenEndpointCall.redact(new GrantResult.Failed(TokenOutcome.Kind.TRANSIENT, "cannot reach token endpoint "
                + endpoint.tokenEndpoint() + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage())), sent), Optional.empty(), Optional.empty());
        }
        GrantResult result = TokenEndpointCall.redact(TokenEndpointCall.classify(response, endpoint, clock, sent), sent);
        Optional<String> code = Optional.empty();
        Optional<String> scope = Optional.empty();
        try {
            TokenResponse parsed = TokenResponse.parse(response);
            if (parsed instanceof TokenErrorResponse error && error.getErrorObject() != null) {
                code = Optional.ofNullable(error.getErrorObject().getCode());
            } else if (parsed instanceof AccessTokenResponse ok) {
                scope = Optional.ofNullable(ok.getTokens().getAccessToken().getScope()).map(Scope::toString);
            }
        } catch (ParseException e) {
            // classify already reported an unreadable reply; no code, no scope
            return new Reply(result, Optional.empty(), Optional.empty());
        }
        return new Reply(result, code, scope);
    }
}
