package org.jamespack.auth.kopano;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.NotThreadSafe;

/**
 * One connection of a {@link SoapHttpClient}: a TCP/TLS socket ({@link SocketWire}) or a UNIX
 * socket channel ({@link UnixWire}), every read and write bounded by a deadline.
 *
 * <p>Not thread-safe: used by one thread at a time (the pool hands it from one to the next).
 */
@NotThreadSafe
abstract class Wire {
    volatile long idleSince;
    volatile boolean reused;
    volatile boolean dead;
    private @Nullable WireReader reader;

    WireReader reader() {
        if (reader == null) {
            reader = new WireReader(this);
        }
        return reader;
    }

    abstract void write(byte[] head, byte[] body, long deadline) throws IOException;

    /** Reads at least one byte before the deadline; -1 at end of stream. */
    abstract int read(byte[] buf, int off, int len, long deadline) throws IOException;

    abstract void closeQuietly();

    /** A TCP socket, or a TLS socket layered on one; SO_TIMEOUT carries the deadline. */
    static final class SocketWire extends Wire {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketWire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        void write(byte[] head, byte[] body, long deadline) throws IOException {
            // one write: two small segments would meet Nagle and delayed ACKs on the server side
            byte[] all = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, all, head.length, body.length);
            try {
                out.write(all);
                out.flush();
            } finally {
                Arrays.fill(all, (byte) 0);
            }
        }

        @Override
        int read(byte[] buf, int off, int len, long deadline) throws IOException {
            socket.setSoTimeout(remainingMillis(deadline));
            return in.read(buf, off, len);
        }

        @Override
        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do about a socket that fails to close; it is gone either way
            }
        }
    }

    /**
     * A UNIX socket: the channel has no socket adapter with SO_TIMEOUT, so reads and writes wait
     * on a selector with the time left.
     */
    static final class UnixWire extends Wire {
        private final SocketChannel channel;
        private final Selector selector;

        private UnixWire(SocketChannel channel, Selector selector) {
            this.channel = channel;
            this.selector = selector;
        }

        static UnixWire connect(Path socket, int connectMs) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                // a UNIX socket connect does not wait on a network; it fails or succeeds at once
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.configureBlocking(false);
                Selector sel = Selector.open();
                return new UnixWire(ch, sel);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        @Override
        void write(byte[] head, byte[] body, long deadline) throws IOException {
            for (byte[] part : new byte[][] {head, body}) {
                ByteBuffer b = ByteBuffer.wrap(part);
                while (b.hasRemaining()) {
                    if (channel.write(b) == 0) {
                        await(SelectionKey.OP_WRITE, deadline);
                    }
                }
            }
        }

        @Override
        int read(byte[] buf, int off, int len, long deadline) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            while (true) {
                int n = channel.read(b);
                if (n != 0) {
                    return n;
                }
                await(SelectionKey.OP_READ, deadline);
            }
        }

        private void await(int op, long deadline) throws IOException {
            SelectionKey key = channel.register(selector, op);
            try {
                int ready = selector.select(remainingMillis(deadline));
                if (ready == 0) {
                    throw new SocketTimeoutException("no answer in time");
                }
                selector.selectedKeys().clear();
            } finally {
                key.interestOps(0);
            }
        }

        @Override
        void closeQuietly() {
            try {
                selector.close();
                channel.close();
            } catch (IOException ignored) {
                // nothing to do about a channel that fails to close; it is gone either way
            }
        }
    }

    /** The milliseconds left until {@code deadline}, at least 1; a time-out when none are left. */
    static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no answer in time");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    }
}
