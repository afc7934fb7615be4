package org.jamespack.relay.token;

import org.jamespack.foundation.tls.TrustAnchors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/** The token endpoint over TLS with a CA made at test time: trusted through a CA bundle or not at all. */
class TlsEndpointTest {

    @TempDir
    Path dir;
    private HttpsServer server;
    private URI endpoint;
    private Path caBundle;

    @BeforeEach
    void start() throws Exception {
        KeyPair pair = TestKeys.rsa();
        X509Certificate cert = TestKeys.serverCertificate(pair);
        caBundle = Files.writeString(dir.resolve("ca-bundle.crt"), TestKeys.pem(cert));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pair.getPrivate(), "pw".toCharArray(), new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/token", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] out = "{\"access_token\":\"tls-token\",\"token_type\":\"Bearer\",\"expires_in\":3600}"
                .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
        endpoint = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private GrantResult call(EndpointSettings settings) {
        return new RefreshTokenGrantCall(settings, "c", Optional.empty(), Optional.empty(), Clock.systemUTC())
            .obtain(Optional.of(Secret.of("r")));
    }

    @Test
    void obtainShouldSucceedWhenTheCaBundleTrustsTheEndpoint() {
        EndpointSettings settings = EndpointSettings.of(endpoint).withTls(
            TrustAnchors.socketFactory(Optional.of(caBundle), Optional.empty(), Optional.empty(), Optional.empty(), "PKCS12"));

        assertThat(call(settings)).isInstanceOfSatisfying(GrantResult.Issued.class,
            i -> assertThat(i.accessToken().reveal()).isEqualTo("tls-token"));
    }

    @Test
    void obtainShouldSucceedWhenACaCertsDirTrustsTheEndpoint() throws Exception {
        Path certs = Files.createDirectory(dir.resolve("certs"));
        Files.copy(caBundle, certs.resolve("test-ca.pem"));
        Files.writeString(certs.resolve("README"), "not a certificate");
        EndpointSettings settings = EndpointSettings.of(endpoint).withTls(
            TrustAnchors.socketFactory(Optional.empty(), Optional.of(certs), Optional.empty(), Optional.empty(), "PKCS12"));

        assertThat(call(settings)).isInstanceOf(GrantResult.Issued.class);
    }

    @Test
    void obtainShouldBeTransientWhenTheEndpointCertificateIsNotTrusted() {
        assertThat(call(EndpointSettings.of(endpoint))).isInstanceOfSatisfying(GrantResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(f.detail()).contains("SSL");
        });
    }

    @Test
    void tokenFileShouldUseItsCaBundleFileWhenRefreshing() throws Exception {
        Path file = Files.writeString(dir.resolve("t@example.org"), "{\"client_id\":\"c\",\"token_endpoint\":\"" + endpoint
            + "\",\"ca_bundle_file\":\"" + caBundle + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");

        TokenOutcome outcome = TokenFileBinding.plain(PathDefaults.standard()).open("t@example.org", "tls", file).token(false);

        assertThat(outcome).isInstanceOf(TokenOutcome.Token.class);
    }
}
