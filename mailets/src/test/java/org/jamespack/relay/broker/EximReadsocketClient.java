package org.jamespack.relay.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client that talks to a socket exactly as exim's {@code ${readsocket{path}{request}}} does
 * for a UNIX socket (exim {@code src/src/lookups/readsock.c}, {@code readsock_find} and
 * {@code internal_readsock_open}, read for this test): connect; {@code write()} the request
 * string as given, with no newline added, in one call; then, unless {@code shutdown=no},
 * {@code shutdown(SHUT_WR)}; then read until end of file under one time-out (5 s by default),
 * keeping every byte (no {@code eol} option). Connect failure or time-out is a failure of the
 * expansion ({@code SOCK_FAIL}); an empty read is a successful, empty result.
 *
 * <p>One class with a {@code main} and its time-out exception, so that a test can copy its class files
 * and run it as another uid. Exit codes: 0 read to end of file (the bytes on stdout), 3 connect
 * or write failed, 4 timed out.
 */
public final class EximReadsocketClient {

    public static final int CONNECT_FAILED = 3;
    public static final int TIMED_OUT = 4;

    private EximReadsocketClient() {
    }

    /** {@code EximReadsocketClient SOCKET REQUEST [shutdown=no]} */
    public static void main(String[] args) throws IOException {
        boolean shutdown = !(args.length > 2 && args[2].equals("shutdown=no"));
        byte[] result;
        try {
            result = readsocket(Path.of(args[0]), args[1], shutdown, Duration.ofSeconds(5));
        } catch (ReadTimedOut e) {
            System.err.println("socket read timed out");
            System.exit(TIMED_OUT);
            return;
        } catch (IOException e) {
            System.err.println("failed to connect to socket " + args[0] + ": " + e.getMessage());
            System.exit(CONNECT_FAILED);
            return;
        }
        System.out.write(result);
        System.out.flush();
        System.exit(0);
    }

    /**
     * What {@code ${readsocket}} yields: every byte up to end of file.
     *
     * @throws ReadTimedOut when no end of file came within {@code timeout} (exim: "socket read timed out")
     * @throws IOException  when connecting or writing failed
     */
    public static byte[] readsocket(Path socket, String request, boolean shutdown, Duration timeout) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            if (bytes.length > 0) {
                // exim: write(sock, keystring, length) != length is "request write to socket failed"
                if (channel.write(ByteBuffer.wrap(bytes)) != bytes.length) {
                    throw new IOException("request write to socket failed");
                }
            }
            if (shutdown) {
                channel.shutdownOutput();
            }
            channel.configureBlocking(false);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + timeout.toNanos();
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_READ);
                ByteBuffer buffer = ByteBuffer.allocate(1024);
                while (true) {
                    buffer.clear();
                    int n;
                    try {
                        n = channel.read(buffer);
                    } catch (IOException e) {
                        // exim's cat_file stops at fgets() == NULL: a read error ends the data like EOF
                        return out.toByteArray();
                    }
                    if (n < 0) {
                        return out.toByteArray();
                    }
                    out.write(buffer.array(), 0, n);
                    if (n == 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new ReadTimedOut();
                        }
                        selector.select(Math.max(1, left / 1_000_000));
                        selector.selectedKeys().clear();
                    }
                }
            }
        }
    }

    /** exim's "socket read timed out". */
    public static final class ReadTimedOut extends IOException {
        private static final long serialVersionUID = 1L;

        ReadTimedOut() {
            super("socket read timed out");
        }
    }
}
