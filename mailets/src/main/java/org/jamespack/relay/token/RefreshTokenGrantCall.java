package org.jamespack.relay.token;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;

import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;

import net.jcip.annotations.Immutable;

/**
 * The refresh-token grant (RFC 6749 §6) as sasl-xoauth2 sends it: client id and, for
 * confidential clients, the secret in the body ({@code client_secret_post}); public clients
 * (Microsoft's native apps) send only the client id. A rotated refresh token is returned in the
 * {@link GrantResult.Issued}; keeping it is the caller's job. Immutable and thread-safe.
 */
@Immutable
public final class RefreshTokenGrantCall implements TokenGrant {

    private final EndpointSettings endpoint;
    private final String clientId;
    private final Optional<Secret> clientSecret;
    private final Optional<Scope> scope;
    private final Clock clock;

    public RefreshTokenGrantCall(EndpointSettings endpoint, String clientId, Optional<Secret> clientSecret,
                                 Optional<String> scope, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret.filter(s -> !s.isEmpty());
        this.scope = scope.filter(s -> !s.isBlank()).map(Scope::parse);
        this.clock = clock;
    }

    @Override
    public GrantResult obtain(Optional<Secret> refreshToken) {
        if (refreshToken.isEmpty() || refreshToken.get().isEmpty()) {
            return new GrantResult.Failed(TokenOutcome.Kind.CREDENTIAL_BROKEN, "no refresh token");
        }
        RefreshTokenGrant grant = new RefreshTokenGrant(new RefreshToken(refreshToken.get().reveal()));
        TokenRequest request = clientSecret.isPresent()
            ? new TokenRequest(endpoint.tokenEndpoint(),
                new ClientSecretPost(new ClientID(clientId), new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.get().reveal())),
                grant, scope.orElse(null))
            : new TokenRequest(endpoint.tokenEndpoint(), new ClientID(clientId), grant, scope.orElse(null));
        return TokenEndpointCall.send(request, endpoint, clock);
    }

    @Override
    public boolean usesRefreshToken() {
        return true;
    }

    @Override
    public String describe() {
        return "refresh-token grant for client " + clientId + " at " + endpoint.tokenEndpoint();
    }

    @Override
    public String toString() {
        return describe();
    }
}
