package org.jamespack.relay.token;

import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.jamespack.foundation.Secret;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.JWTBearerGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;

import net.jcip.annotations.Immutable;

/**
 * The JWT-bearer grant (RFC 7523 §2.1) of a Google Workspace service account with domain-wide
 * delegation: the assertion has {@code iss} = the service account's e-mail, {@code sub} = the
 * mailbox to act for, {@code aud} = the token URL, {@code scope} = the requested scopes (Google
 * reads the scope from the assertion), {@code iat} and {@code nbf} a minute ago and {@code exp}
 * at most one hour after {@code iat} (Google refuses longer), signed RS256 with the service
 * account's key, {@code kid} its key id. The minute back absorbs a server clock a little ahead
 * of Google's, which would otherwise see an assertion issued in the future. No client
 * authentication is sent. Immutable and thread-safe.
 */
@Immutable
public final class JwtBearerGrantCall implements TokenGrant {

    /** The only scope Google documents for SMTP. */
    public static final String GOOGLE_MAIL_SCOPE = "https://mail.google.com/";
    public static final Duration MAX_ASSERTION_LIFETIME = Duration.ofHours(1);
    /** How far {@code iat} and {@code nbf} are set back, for clocks a little ahead of the endpoint's. */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    private final EndpointSettings endpoint;
    private final String issuer;
    private final String subject;
    private final PrivateKey key;
    private final Optional<String> keyId;
    private final Optional<String> scope;
    private final Duration lifetime;
    private final Clock clock;

    /**
     * @param issuer   the service account's e-mail ({@code client_email})
     * @param subject  the mailbox the token acts for
     * @param lifetime the assertion's lifetime, at most one hour
     */
    public JwtBearerGrantCall(EndpointSettings endpoint, String issuer, String subject, PrivateKey key,
                              Optional<String> keyId, Optional<String> scope, Duration lifetime, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.subject = Objects.requireNonNull(subject, "subject");
        this.key = Objects.requireNonNull(key, "key");
        this.keyId = keyId.filter(s -> !s.isEmpty());
        this.scope = scope.filter(s -> !s.isBlank());
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_ASSERTION_LIFETIME) > 0) {
            throw new IllegalArgumentException("assertion lifetime must be between 1 s and 1 h");
        }
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A Google service account acting for {@code mailbox}, with its key file's token URI unless overridden. */
    public static JwtBearerGrantCall google(KeyFiles.GoogleServiceAccount account, String mailbox,
                                            EndpointSettings endpoint, Optional<String> scope, Duration lifetime,
                                            Clock clock) {
        return new JwtBearerGrantCall(endpoint, account.clientEmail(), mailbox, account.privateKey(),
            Optional.of(account.privateKeyId()), Optional.of(scope.orElse(GOOGLE_MAIL_SCOPE)), lifetime, clock);
    }

    @Override
    public GrantResult obtain(Optional<Secret> refreshToken) {
        SignedJWT assertion;
        try {
            assertion = assertion();
        } catch (JOSEException e) {
            return new GrantResult.Failed(TokenOutcome.Kind.CREDENTIAL_BROKEN,
                "cannot sign the JWT-bearer assertion for " + issuer + ": " + e.getClass().getSimpleName());
        }
        TokenRequest request = new TokenRequest(endpoint.tokenEndpoint(), new JWTBearerGrant(assertion));
        return TokenEndpointCall.send(request, endpoint, clock);
    }

    SignedJWT assertion() throws JOSEException {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT);
        keyId.ifPresent(header::keyID);
        java.time.Instant issued = clock.instant().minus(BACKDATE);
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
            .issuer(issuer)
            .subject(subject)
            .audience(endpoint.tokenEndpoint().toString())
            .issueTime(Date.from(issued))
            .notBeforeTime(Date.from(issued))
            .expirationTime(Date.from(issued.plus(lifetime)))
            .jwtID(UUID.randomUUID().toString());
        scope.ifPresent(s -> claims.claim("scope", s));
        SignedJWT jwt = new SignedJWT(header.build(), claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt;
    }

    @Override
    public String describe() {
        return "JWT-bearer grant of " + issuer + " for " + subject + " at " + endpoint.tokenEndpoint();
    }

    @Override
    public String toString() {
        return describe();
    }
}
