package org.jamespack.relay.token;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;

import net.jcip.annotations.Immutable;

/**
 * The client-credentials grant (RFC 6749 §4.4) for Microsoft 365 app-only SMTP: the client
 * authenticates with a secret ({@code client_secret_post}) or with a certificate
 * ({@code private_key_jwt}, RFC 7523 §2.2, through Nimbus' {@link PrivateKeyJWT}). For the
 * certificate, Microsoft identifies the key by the {@code x5t} header: the base64url SHA-1
 * thumbprint of the certificate; the assertion is signed RS256, {@code iss} = {@code sub} =
 * client id, {@code aud} = the token endpoint, valid 5 minutes, a fresh {@code jti} each call.
 * Immutable and thread-safe.
 */
@Immutable
public final class ClientCredentialsGrantCall implements TokenGrant {

    /** Microsoft 365 app-only SMTP scope. */
    public static final String MICROSOFT_SMTP_SCOPE = "https://outlook.office365.com/.default";

    private static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(5);

    private final EndpointSettings endpoint;
    private final String clientId;
    private final Optional<Secret> clientSecret;
    private final Optional<PrivateKey> key;
    private final Optional<X509Certificate> certificate;
    private final Optional<Scope> scope;
    private final Clock clock;

    private ClientCredentialsGrantCall(EndpointSettings endpoint, String clientId, Optional<Secret> clientSecret,
                                       Optional<PrivateKey> key, Optional<X509Certificate> certificate,
                                       Optional<String> scope, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = clientSecret;
        this.key = key;
        this.certificate = certificate;
        this.scope = scope.filter(s -> !s.isBlank()).map(Scope::parse);
        this.clock = clock;
    }

    /** Authenticates with a client secret. */
    public static ClientCredentialsGrantCall withSecret(EndpointSettings endpoint, String clientId, Secret clientSecret,
                                                        Optional<String> scope, Clock clock) {
        return new ClientCredentialsGrantCall(endpoint, clientId, Optional.of(clientSecret), Optional.empty(),
            Optional.empty(), scope, clock);
    }

    /** Authenticates with a certificate's private key ({@code private_key_jwt} with {@code x5t}). */
    public static ClientCredentialsGrantCall withCertificate(EndpointSettings endpoint, String clientId, PrivateKey key,
                                                             X509Certificate certificate, Optional<String> scope,
                                                             Clock clock) {
        return new ClientCredentialsGrantCall(endpoint, clientId, Optional.empty(), Optional.of(key),
            Optional.of(certificate), scope, clock);
    }

    @Override
    public GrantResult obtain(Optional<Secret> refreshToken) {
        ClientAuthentication auth;
        try {
            auth = clientAuthentication();
        } catch (JOSEException | CertificateEncodingException | NoSuchAlgorithmException e) {
            return new GrantResult.Failed(TokenOutcome.Kind.CREDENTIAL_BROKEN,
                "cannot sign the client assertion for " + clientId + ": " + e.getClass().getSimpleName());
        }
        TokenRequest request = new TokenRequest(endpoint.tokenEndpoint(), auth, new ClientCredentialsGrant(),
            scope.orElse(null));
        return TokenEndpointCall.send(request, endpoint, clock);
    }

    private ClientAuthentication clientAuthentication()
        throws JOSEException, CertificateEncodingException, NoSuchAlgorithmException {
        if (clientSecret.isPresent()) {
            return new ClientSecretPost(new ClientID(clientId),
                new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.get().reveal()));
        }
        X509Certificate cert = certificate.orElseThrow();
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(cert.getEncoded());
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
            .type(JOSEObjectType.JWT)
            .x509CertThumbprint(Base64URL.encode(sha1))
            .build();
        // nbf and iat a minute back: a clock a little ahead of Entra ID's must not present an assertion from the future
        Date issued = Date.from(clock.instant().minus(JwtBearerGrantCall.BACKDATE));
        Date exp = Date.from(clock.instant().plus(ASSERTION_LIFETIME));
        JWTAuthenticationClaimsSet claims = new JWTAuthenticationClaimsSet(new ClientID(clientId),
            List.of(new Audience(endpoint.tokenEndpoint().toString())), exp, issued, issued, new JWTID());
        SignedJWT jwt = new SignedJWT(header, claims.toJWTClaimsSet());
        jwt.sign(new RSASSASigner(key.orElseThrow()));
        return new PrivateKeyJWT(jwt);
    }

    @Override
    public String describe() {
        return "client-credentials grant (" + (clientSecret.isPresent() ? "secret" : "certificate") + ") for client "
            + clientId + " at " + endpoint.tokenEndpoint();
    }

    @Override
    public String toString() {
        return describe();
    }
}
