package org.jamespack.relay.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.ThreadSafe;

/**
 * The relay's socket factories for Angus ({@code mail.smtp.socketFactory} and {@code mail.smtp.ssl.socketFactory}):
 * every socket gets {@code TCP_NODELAY}, and the TCP socket under the TLS layer is put in the {@link Slot} of the
 * connection being opened on the calling thread, so that {@link RelayTransport} can change its read time-out. Angus
 * makes a connection's sockets on the thread that calls {@code connect}, which {@link #opening} marks. Thread-safe; one
 * instance per connector, shared by its sessions (a session is made once per kind of route: making one costs
 * milliseconds, as it reads Jakarta Mail's provider lists from the class path).
 *
 * <p>Why {@code TCP_NODELAY}: an SMTP client writes small segments back to back more than once per session (the TLS
 * {@code Finished} then {@code EHLO}; the message's last chunk then {@code .}). With Nagle's algorithm the second one
 * waits until the first is acknowledged, and the server delays that acknowledgement (40 ms on Linux) because it has
 * nothing to say yet: one such stall after each STARTTLS made a fresh connection cost tens of milliseconds. Angus never
 * sets the option itself.
 */
@ThreadSafe
final class RelaySockets {

    /** Where one connection's TCP socket is kept. Thread-safe (volatile). */
    @ThreadSafe
    static final class Slot {
        private volatile @Nullable Socket socket;

        /** The TCP socket of the connection, once made. */
        @Nullable Socket socket() {
            return socket;
        }
    }

    private final SSLSocketFactory tls;
    private final ThreadLocal<@Nullable Slot> opening = new ThreadLocal<>();
    private final SocketFactory plain = new PlainFactory();
    private final SSLSocketFactory layered = new LayeredFactory();

    RelaySockets(SSLSocketFactory tls) {
        this.tls = tls;
    }

    /** Sockets made on this thread from now until {@link #opened} belong to {@code slot}. */
    void opening(Slot slot) {
        opening.set(slot);
    }

    /** The connection of this thread is open (or failed): later sockets belong to no slot. */
    void opened() {
        opening.remove();
    }

    private Socket keep(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        Slot slot = opening.get();
        if (slot != null) {
            slot.socket = s;
        }
        return s;
    }

    /** For {@code mail.smtp.socketFactory}: Angus asks for an unconnected socket and connects it itself. */
    SocketFactory plain() {
        return plain;
    }

    /**
     * For {@code mail.smtp.ssl.socketFactory}: the trust store's factory, layering TLS over a connected TCP socket (for
     * STARTTLS and, with implicit TLS, over the socket Angus made itself), which is kept.
     */
    SSLSocketFactory tls() {
        return layered;
    }

    private final class PlainFactory extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            return keep(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return keep(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return keep(new Socket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return keep(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return keep(new Socket(address, port, localAddress, localPort));
        }
    }

    private final class LayeredFactory extends SSLSocketFactory {
        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return tls.createSocket(keep(s), host, port, autoClose);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return tls.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return tls.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return keep(tls.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return keep(tls.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return keep(tls.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return keep(tls.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return keep(tls.createSocket(address, port, localAddress, localPort));
        }
    }
}
