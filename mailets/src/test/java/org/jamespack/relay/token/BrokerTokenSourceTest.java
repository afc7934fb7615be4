package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.jamespack.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.Level;

/**
 * The broker client against small UNIX-socket servers: one that behaves as cloud_mdir_sync's
 * credential server does (reads the request to end of file, answers, closes), and one that
 * answers at the line end and keeps the connection open, as the pack's own broker may.
 */
class BrokerTokenSourceTest {

    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void stop() throws IOException {
        if (broker != null) {
            broker.close();
        }
    }

    /**
     * A broker as cloud_mdir_sync's credential server is: reads the request until end of file
     * (it never looks for a line end), answers {@code reply(request)} (null = hang), closes.
     */
    private static final class Broker implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocketChannel server;
        private final Thread thread;

        Broker(Path socket, Function<String, String> reply) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                while (server.isOpen()) {
                    try (SocketChannel ch = server.accept()) {
                        String line = readToEndOfFile(ch);
                        requests.add(line);
                        String answer = reply.apply(line);
                        if (answer == null) {
                            Thread.sleep(5000);
                            continue;
                        }
                        ch.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "test-broker");
            thread.setDaemon(true);
            thread.start();
        }

        private static String readToEndOfFile(SocketChannel ch) throws IOException {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(256);
            while (ch.read(buf) >= 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return all.toString(StandardCharsets.UTF_8);
        }

        private static String readLine(SocketChannel ch) throws IOException {
            StringBuilder b = new StringBuilder();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (ch.read(one) > 0) {
                char c = (char) one.get(0);
                one.clear();
                if (c == '\n') {
                    return b.toString();
                }
                b.append(c);
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            thread.interrupt();
        }
    }

    private BrokerTokenSource source(Path socket, String account) {
        return new BrokerTokenSource(socket, account, Duration.ofMillis(800), Duration.ofMinutes(5));
    }

    @Test
    void tokenShouldReturnTheBearerTokenWhenTheBrokerAnswersTheXoauth2String() throws Exception {
        Path socket = dir.resolve("cms.sock");
        broker = new Broker(socket, line -> "user=alice@example.org\u0001auth=Bearer tok-SECRET-123\u0001\u0001");

        TokenOutcome outcome = source(socket, "alice@example.org").token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Token.class,
            t -> assertThat(t.accessToken().reveal()).isEqualTo("tok-SECRET-123"));
        assertThat(broker.requests).containsExactly("SMTP alice@example.org");
        assertThat(outcome.toString()).doesNotContain("tok-SECRET");
    }

    @Test
    void tokenShouldNotWaitForCloseWhenTheAnswerIsComplete() throws Exception {
        Path socket = dir.resolve("keep-open.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            try (SocketChannel ch = server.accept()) {
                Broker.readLine(ch);
                ch.write(ByteBuffer.wrap("user=a@b.c\u0001auth=Bearer kept-open\u0001\u0001".getBytes(StandardCharsets.UTF_8)));
                Thread.sleep(5000);
            } catch (IOException | InterruptedException e) {
                // the test is over
            }
        });
        t.setDaemon(true);
        t.start();
        try {
            assertThat(source(socket, "a@b.c").token(false)).isInstanceOf(TokenOutcome.Token.class);
        } finally {
            server.close();
            t.interrupt();
        }
    }

    @Test
    void tokenShouldBeTransientWhenNoBrokerListens() {
        TokenOutcome outcome = source(dir.resolve("absent.sock"), "alice@example.org").token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
    }

    @Test
    void tokenShouldBeTransientWhenTheBrokerAnswersNothing() throws Exception {
        Path socket = dir.resolve("empty.sock");
        broker = new Broker(socket, line -> "");

        assertThat(source(socket, "alice@example.org").token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
    }

    @Test
    void tokenShouldBeTransientWithinTheTimeoutWhenTheBrokerHangs() throws Exception {
        Path socket = dir.resolve("hang.sock");
        broker = new Broker(socket, line -> null);

        long start = System.nanoTime();
        TokenOutcome outcome = source(socket, "alice@example.org").token(false);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(f.detail()).contains("timed out");
        });
    }

    @Test
    void tokenShouldBeCredentialBrokenWithoutEchoingTheTokenWhenTheAnswerIsForAnotherUser() throws Exception {
        Path socket = dir.resolve("other.sock");
        broker = new Broker(socket, line -> "user=mallory@example.org\u0001auth=Bearer tok-SECRET-9\u0001\u0001");
        BrokerTokenSource source = source(socket, "alice@example.org");

        try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
            TokenOutcome outcome = source.token(false);

            assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN));
            assertThat(logs.all() + outcome + source.status() + source).contains("mallory").doesNotContain("tok-SECRET");
            assertThat(source.status().endpointCalls()).isEqualTo(1);
        }
    }
}
