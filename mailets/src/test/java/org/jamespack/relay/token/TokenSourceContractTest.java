package org.jamespack.relay.token;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** {@link TokenSourceContract} for each kind of source. */
class TokenSourceContractTest {

    static final String TOKEN = "contract-TOKEN-value";

    private static URI closedPort() {
        return URI.create("http://127.0.0.1:" + TestPorts.closedPort() + "/token");
    }

    abstract static class WithEndpoint implements TokenSourceContract {
        TokenEndpointStandIn endpoint;
        @TempDir
        Path dir;

        @BeforeEach
        void start() throws Exception {
            endpoint = new TokenEndpointStandIn();
            endpoint.replies(n -> Reply.token(TOKEN, 3600, null));
        }

        @AfterEach
        void stop() {
            endpoint.close();
        }

        @Override
        public String expectedToken() {
            return TOKEN;
        }
    }

    @Nested
    class RefreshTokenInMemory extends WithEndpoint {
        private TokenSource source(URI uri) {
            return RefreshingTokenSource.inMemory(ACCOUNT, "contract", new RefreshTokenGrantCall(EndpointSettings.of(uri),
                "c", Optional.empty(), Optional.empty(), Clock.systemUTC()), Optional.of(Secret.of("r")), Duration.ofMinutes(10));
        }

        @Override
        public TokenSource workingSource() {
            return source(endpoint.uri());
        }

        @Override
        public TokenSource unreachableSource() throws IOException {
            return source(closedPort());
        }
    }

    @Nested
    class ClientCredentials extends WithEndpoint {
        private TokenSource source(URI uri) {
            return RefreshingTokenSource.inMemory(ACCOUNT, "contract", ClientCredentialsGrantCall.withSecret(
                EndpointSettings.of(uri), "app", Secret.of("s"), Optional.empty(), Clock.systemUTC()), Optional.empty(),
                Duration.ofMinutes(10));
        }

        @Override
        public TokenSource workingSource() {
            return source(endpoint.uri());
        }

        @Override
        public TokenSource unreachableSource() throws IOException {
            return source(closedPort());
        }
    }

    @Nested
    class TokenFileSource extends WithEndpoint {
        private TokenSource source(URI uri) throws IOException {
            Path file = dir.resolve(ACCOUNT + "-" + uri.getPort());
            Files.writeString(file, "{\"client_id\":\"c\",\"token_endpoint\":\"" + uri
                + "\",\"expiry\":\"0\",\"refresh_token\":\"r\"}");
            return TokenFileBinding.plain(PathDefaults.standard()).open(ACCOUNT, "contract", file);
        }

        @Override
        public TokenSource workingSource() throws IOException {
            return source(endpoint.uri());
        }

        @Override
        public TokenSource unreachableSource() throws IOException {
            return source(closedPort());
        }
    }

    @Nested
    class Broker implements TokenSourceContract {
        @TempDir
        Path dir;
        private ServerSocketChannel server;

        @BeforeEach
        void start() throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(dir.resolve("b.sock")));
            Thread t = new Thread(() -> {
                while (server.isOpen()) {
                    try (SocketChannel ch = server.accept()) {
                        ch.read(ByteBuffer.allocate(256));
                        ch.write(ByteBuffer.wrap(("user=" + ACCOUNT + "\u0001auth=Bearer " + TOKEN + "\u0001\u0001")
                            .getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @AfterEach
        void stop() throws IOException {
            server.close();
        }

        @Override
        public TokenSource workingSource() {
            return new BrokerTokenSource(dir.resolve("b.sock"), ACCOUNT, Duration.ofSeconds(5), Duration.ofMinutes(5));
        }

        @Override
        public TokenSource unreachableSource() {
            return new BrokerTokenSource(dir.resolve("none.sock"), ACCOUNT, Duration.ofSeconds(1), Duration.ofMinutes(5));
        }

        @Override
        public String expectedToken() {
            return TOKEN;
        }
    }
}
