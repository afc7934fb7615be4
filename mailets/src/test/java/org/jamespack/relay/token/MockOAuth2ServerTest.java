package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.id.ClientID;

import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The grants against a real OAuth2 server, no.nav.security:mock-oauth2-server; the assertions the
 * pack signs are checked as the server received them ({@code takeRequest}).
 */
class MockOAuth2ServerTest {

    private MockOAuth2Server server;
    private URI tokenEndpoint;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        server = new MockOAuth2Server();
        server.start(InetAddress.getLoopbackAddress(), 0);
        tokenEndpoint = server.tokenEndpointUrl("default").uri();
    }

    @AfterEach
    void stop() {
        server.shutdown();
    }

    private Map<String, String> lastRequestForm() throws InterruptedException {
        return TokenEndpointStandIn.form(server.takeRequest().getBody().readUtf8());
    }

    @Test
    void clientCredentialsShouldGetATokenWhenAuthenticatedWithASecret() throws Exception {
        TokenGrant grant = ClientCredentialsGrantCall.withSecret(EndpointSettings.of(tokenEndpoint), "relay-app",
            Secret.of("app-secret"), Optional.of(ClientCredentialsGrantCall.MICROSOFT_SMTP_SCOPE), Clock.systemUTC());
        TokenSource source = RefreshingTokenSource.inMemory("shared@example.org", "m365", grant, Optional.empty(),
            Duration.ofMinutes(10));

        TokenOutcome outcome = source.token(false);

        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
        assertThat(SignedJWTs.parse(((TokenOutcome.Token) outcome).accessToken().reveal()).getAudience()).isNotEmpty();
        assertThat(lastRequestForm()).containsEntry("grant_type", "client_credentials")
            .containsEntry("client_id", "relay-app").containsEntry("client_secret", "app-secret")
            .containsEntry("scope", ClientCredentialsGrantCall.MICROSOFT_SMTP_SCOPE);
    }

    @Test
    void clientCredentialsShouldSendAPrivateKeyJwtWithThumbprintWhenAuthenticatedWithACertificate() throws Exception {
        KeyPair pair = TestKeys.rsa();
        X509Certificate cert = TestKeys.selfSigned(pair, "relay-app");
        TokenGrant grant = ClientCredentialsGrantCall.withCertificate(EndpointSettings.of(tokenEndpoint), "relay-app",
            pair.getPrivate(), cert, Optional.of(ClientCredentialsGrantCall.MICROSOFT_SMTP_SCOPE), Clock.systemUTC());

        GrantResult result = grant.obtain(Optional.empty());

        assertThat(result).isInstanceOf(GrantResult.Issued.class);
        Map<String, String> form = lastRequestForm();
        assertThat(form).containsEntry("grant_type", "client_credentials")
            .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            .doesNotContainKey("client_secret");
        SignedJWT assertion = SignedJWT.parse(form.get("client_assertion"));
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic()))).isTrue();
        assertThat(assertion.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(assertion.getHeader().getX509CertThumbprint())
            .isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded())));
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("relay-app");
        assertThat(claims.getSubject()).isEqualTo("relay-app");
        assertThat(claims.getAudience()).containsExactly(tokenEndpoint.toString());
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getExpirationTime()).isAfter(claims.getIssueTime());
    }

    @Test
    void jwtBearerShouldSendAGoogleServiceAccountAssertionForTheMailboxWhenAsked() throws Exception {
        KeyPair pair = TestKeys.rsa();
        Path keyFile = TestKeys.googleKeyFile(dir, pair, "relay@project.iam.gserviceaccount.com", tokenEndpoint.toString());
        KeyFiles.GoogleServiceAccount sa = KeyFiles.googleServiceAccount(keyFile);
        TokenGrant grant = JwtBearerGrantCall.google(sa, "bob@example.org", EndpointSettings.of(URI.create(sa.tokenUri())),
            Optional.empty(), Duration.ofHours(1), Clock.systemUTC());

        TokenOutcome outcome = RefreshingTokenSource.inMemory("bob@example.org", "google", grant, Optional.empty(),
            Duration.ofMinutes(10)).token(false);

        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
        Map<String, String> form = lastRequestForm();
        assertThat(form).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        SignedJWT assertion = SignedJWT.parse(form.get("assertion"));
        assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) pair.getPublic()))).isTrue();
        assertThat(assertion.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(assertion.getHeader().getKeyID()).isEqualTo("0123456789abcdef");
        JWTClaimsSet claims = assertion.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo("relay@project.iam.gserviceaccount.com");
        assertThat(claims.getSubject()).isEqualTo("bob@example.org");
        assertThat(claims.getAudience()).containsExactly(tokenEndpoint.toString());
        assertThat(claims.getStringClaim("scope")).isEqualTo("https://mail.google.com/");
        assertThat(claims.getExpirationTime().getTime() - claims.getIssueTime().getTime()).isLessThanOrEqualTo(3_600_000L);
    }

    @Test
    void tokenFileShouldRefreshAndPersistTheRotatedRefreshTokenWhenTheServerIssuedIt() throws Exception {
        String refreshToken = authorizationCodeFlowRefreshToken();
        Path file = dir.resolve("carol@example.org");
        Files.writeString(file, "{\"access_token\":\"\",\"client_id\":\"mail-client\",\"client_secret\":\"client-pw\","
            + "\"token_endpoint\":\"" + tokenEndpoint + "\",\"expiry\":\"0\",\"refresh_token\":\"" + refreshToken + "\"}");
        // as 'token init' leaves it; a rewrite keeps a file's mode (less access for others)
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        TokenSource source = TokenFileBinding.plain(PathDefaults.standard()).open("carol@example.org", "file", file);

        TokenOutcome outcome = source.token(false);

        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
        assertThat(lastRequestForm()).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", refreshToken);
        TokenFile written = TokenFile.read(file);
        assertThat(written.accessToken()).map(Secret::reveal)
            .contains(((TokenOutcome.Token) outcome).accessToken().reveal());
        assertThat(written.expiry()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(30)));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(written.refreshToken().reveal()).isNotEmpty();

        // The (possibly rotated) refresh token in the file works for the next refresh.
        assertThat(source.token(true)).isInstanceOf(TokenOutcome.Token.class);
    }

    @Test
    void tokenShouldBeCredentialBrokenWhenTheServerDoesNotKnowTheRefreshToken() throws Exception {
        Path file = dir.resolve("dave@example.org");
        Files.writeString(file, "{\"client_id\":\"mail-client\",\"token_endpoint\":\"" + tokenEndpoint
            + "\",\"expiry\":\"0\",\"refresh_token\":\"revoked-refresh-token\"}");
        TokenSource source = TokenFileBinding.plain(PathDefaults.standard()).open("dave@example.org", "file", file);

        TokenOutcome first = source.token(false);
        source.token(false);

        assertThat(first).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("invalid_grant").doesNotContain("revoked-refresh-token");
        });
        assertThat(source.status().endpointCalls()).isEqualTo(1);
    }

    /** Logs in by the authorization-code flow (the mock answers the login page itself) to get a real refresh token. */
    private String authorizationCodeFlowRefreshToken() throws Exception {
        URI authorize = URI.create(server.authorizationEndpointUrl("default") + "?client_id=mail-client&response_type=code"
            + "&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&scope=openid%20offline_access&state=s1&nonce=n1");
        HttpResponse<String> redirect = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
            .send(HttpRequest.newBuilder(authorize).GET().build(), HttpResponse.BodyHandlers.ofString());
        String location = redirect.headers().firstValue("Location").orElseThrow();
        String code = TokenEndpointStandIn.form(URI.create(location).getRawQuery()).get("code");
        server.takeRequest();
        TokenResponse response = TokenResponse.parse(new TokenRequest(tokenEndpoint,
            new ClientSecretPost(new ClientID("mail-client"), new com.nimbusds.oauth2.sdk.auth.Secret("client-pw")),
            new AuthorizationCodeGrant(new AuthorizationCode(code), URI.create("http://localhost/cb"))).toHTTPRequest().send());
        server.takeRequest();
        assertThat(response.indicatesSuccess()).isTrue();
        return ((AccessTokenResponse) response).getTokens().getRefreshToken().getValue();
    }

    /** Parses a JWT access token the mock issued (to show it is a real token). */
    private static final class SignedJWTs {
        static JWTClaimsSet parse(String jwt) throws Exception {
            return SignedJWT.parse(jwt).getJWTClaimsSet();
        }
    }
}
