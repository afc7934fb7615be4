package org.jamespack.auth.kopano;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.jamespack.foundation.tls.TrustAnchors;
import org.jspecify.annotations.Nullable;

import net.jcip.annotations.NotThreadSafe;
import net.jcip.annotations.ThreadSafe;

/**
 * A small HTTP/1.1 keep-alive client for SOAP POSTs to one Kopano server, over TCP, TLS or a
 * UNIX socket, with a pool of idle connections.
 *
 * <p>Thread-safe: the pool is a concurrent deque; each {@link Exchange} belongs to one thread.
 *
 * <p>Why by hand rather than the JDK's {@code HttpClient}: (1) a UNIX socket, which HttpClient
 * cannot speak; (2) the stale-connection rule needs to know whether a request went out on a
 * reused connection and failed before any answer byte, which HttpClient hides (it retries on its
 * own terms, or not); (3) Kopano binds a session to the source address, so logon, getUser and
 * logoff of one check run on one connection held for the check, which HttpClient does not let
 * a caller pin; (4) a hard per-call deadline on every read; (5) TLS with an explicitly empty key
 * manager, so that no client certificate (which Kopano accepts instead of a password) can ever be
 * presented, whatever {@code javax.net.ssl.keyStore} says. The protocol used is tiny: one POST
 * with Content-Length, and answers with Content-Length, chunked, or closed bodies.
 */
@ThreadSafe
final class SoapHttpClient implements AutoCloseable {

    private final KopanoSettings settings;
    private final @Nullable SSLSocketFactory tls;
    private final String hostHeader;
    private final String path;
    /** The request head up to the Content-Length value: the same for every request. */
    private final String headPrefix;
    private final ConcurrentLinkedDeque<Wire> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private volatile boolean closed;

    SoapHttpClient(KopanoSettings settings) {
        this.settings = settings;
        URI url = settings.url();
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        this.tls = scheme.equals("https") ? TrustAnchors.trustStoreFactory(settings.trustStore(), settings.trustStorePassword(), settings.trustStoreType()) : null;
        if (scheme.equals("file")) {
            this.hostHeader = "localhost";
            this.path = "/";
        } else {
            int port = port(url);
            String host = url.getHost();
            this.hostHeader = (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
            String p = url.getRawPath();
            this.path = p == null || p.isEmpty() ? "/" : p;
        }
        this.headPrefix = "POST " + path + " HTTP/1.1\r\n"
            + "Host: " + hostHeader + "\r\n"
            + "Content-Type: text/xml; charset=utf-8\r\n"
            + "Content-Length: ";
    }

    static int port(URI url) {
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return url.getScheme().equalsIgnoreCase("https") ? KopanoSettings.DEFAULT_TLS_PORT : KopanoSettings.DEFAULT_PLAIN_PORT;
    }

    /** Starts one check's exchange; close it to give the connection back. */
    Exchange exchange() {
        return new Exchange();
    }

    @Override
    public void close() {
        closed = true;
        Wire w;
        while ((w = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            w.closeQuietly();
        }
    }

    private @Nullable Wire takeIdle() {
        long now = System.nanoTime();
        Wire w;
        while ((w = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            if (now - w.idleSince < settings.idleTimeout().toNanos()) {
                return w;
            }
            // the server drops idle connections after 5 s: do not even try an old one
            w.closeQuietly();
        }
        return null;
    }

    private void giveBack(Wire w) {
        if (closed || idleCount.incrementAndGet() > settings.maxIdleConnections()) {
            idleCount.decrementAndGet();
            w.closeQuietly();
            return;
        }
        w.idleSince = System.nanoTime();
        w.reused = true;
        idle.addFirst(w);
    }

    private Wire open() throws IOException {
        if (closed) {
            throw new IOException("the verifier is closed");
        }
        URI url = settings.url();
        int connectMs = millis(settings.connectTimeout());
        if (url.getScheme().equalsIgnoreCase("file")) {
            return Wire.UnixWire.connect(Path.of(url.getPath()), connectMs);
        }
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(url.getHost(), port(url)), connectMs);
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, url.getHost(), port(url), true);
                SSLParameters params = ssl.getSSLParameters();
                if (settings.verifyHostname()) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                ssl.setSSLParameters(params);
                ssl.setSoTimeout(connectMs);
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return new Wire.SocketWire(s);
    }

    static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /** An HTTP answer. Immutable. */
    record Answer(int status, String body) {
    }

    /** The server answered with a status other than 200 and no SOAP body we could use. */
    static final class HttpStatusException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        HttpStatusException(int status) {
            super("HTTP status " + status);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /**
     * The calls of one password check on one connection (logon, getUser and logoff must come
     * from the same source address). Not thread-safe: one thread, one check.
     */
    @NotThreadSafe
    final class Exchange implements AutoCloseable {
        private @Nullable Wire wire;

        /**
         * POSTs {@code body} and returns the answer. A reused connection that fails before any
         * answer byte (the server dropped it while idle) is replaced once by a fresh one; a
         * time-out is never retried, so a call never takes longer than the response time-out.
         */
        Answer call(String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (wire == null) {
                wire = takeIdle();
                if (wire == null) {
                    wire = open();
                }
            }
            try {
                return send(wire, bytes);
            } catch (StaleConnectionException e) {
                drop();
                wire = open();
                try {
                    return send(wire, bytes);
                } catch (StaleConnectionException again) {
                    drop();
                    throw new IOException("connection closed by the server before it answered", again.getCause());
                }
            } catch (IOException | RuntimeException e) {
                drop();
                throw e;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }

        private Answer send(Wire w, byte[] body) throws IOException {
            long deadline = System.nanoTime() + settings.responseTimeout().toNanos();
            String head = headPrefix + body.length + "\r\nConnection: keep-alive\r\n\r\n";
            boolean reused = w.reused;
            WireReader in = w.reader();
            try {
                w.write(head.getBytes(StandardCharsets.US_ASCII), body, deadline);
                in.deadline = deadline;
                in.awaitFirstByte();
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (reused) {
                    throw new StaleConnectionException(e);
                }
                throw e;
            }
            String statusLine = in.line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer");
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP status");
            }
            long length = -1;
            boolean chunked = false;
            boolean close = parts[0].equals("HTTP/1.0");
            for (String h = in.line(); !h.isEmpty(); h = in.line()) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length":
                        try {
                            length = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new IOException("bad Content-Length");
                        }
                        break;
                    case "transfer-encoding":
                        chunked = value.contains("chunked");
                        break;
                    case "connection":
                        close = value.contains("close") || close && !value.contains("keep-alive");
                        break;
                    default:
                        break;
                }
            }
            if (status < 200) {
                // we never send Expect: 100-continue, so an interim answer means a confused peer
                throw new IOException("unexpected interim HTTP answer " + status);
            }
            byte[] content;
            if (chunked) {
                content = in.chunked();
            } else if (length >= 0) {
                if (length > Soap.MAX_RESPONSE_BYTES) {
                    throw new IOException("answer too large (" + length + " bytes)");
                }
                content = in.exactly((int) length);
            } else {
                content = in.untilClose();
                close = true;
            }
            if (close || status != 200) {
                // Kopano closes after a Fault or an error status: do not wait to find out
                w.closeQuietly();
                w.dead = true;
            }
            return new Answer(status, new String(content, StandardCharsets.UTF_8));
        }

        private void drop() {
            if (wire != null) {
                wire.closeQuietly();
                wire = null;
            }
        }

        /** Gives a healthy connection back to the pool. */
        @Override
        public void close() {
            if (wire != null) {
                if (wire.dead) {
                    wire.closeQuietly();
                } else {
                    giveBack(wire);
                }
                wire = null;
            }
        }
    }

    /** A pooled connection failed before answering: safe to send again on a fresh one. */
    private static final class StaleConnectionException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnectionException(IOException cause) {
            super("stale keep-alive connection", cause);
        }
    }
}
