package org.jamespack.it.clients;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw CRLF line connection to a loopback server, so that tests see the exact reply lines (and
 * can send bytes no mail library would send: NUL, non-UTF-8, 64 KiB lines).
 *
 * <p>Not thread-safe: one test thread per connection.
 */
public class LineConnection implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    protected LineConnection(int port) throws IOException {
        this(port, null);
    }

    /**
     * Connects from {@code local} (e.g. 127.0.0.2: Linux routes all of 127/8 to lo, and the
     * server sees that source address), or from the default address when null.
     */
    protected LineConnection(int port, java.net.InetAddress local) throws IOException {
        socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        // one segment per line: a line and its CRLF written apart wait out the peer's delayed ACK (40 ms)
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /**
     * Connects with implicit TLS (IMAPS, POP3S, SMTPS) trusting any certificate: the samples'
     * keystores are self-signed, made by the test; only ever used on loopback.
     */
    protected LineConnection(int port, java.net.InetAddress local, boolean implicitTls) throws IOException {
        Socket plain = new Socket();
        if (local != null) {
            plain.bind(new InetSocketAddress(local, 0));
        }
        plain.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        plain.setTcpNoDelay(true);
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) trustAll().createSocket(plain, "localhost", port, true);
        tls.setSoTimeout(TIMEOUT_MILLIS);
        tls.startHandshake();
        socket = tls;
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    private static javax.net.ssl.SSLSocketFactory trustAll() throws IOException {
        try {
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return context.getSocketFactory();
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** Sends {@code line} (UTF-8) and CRLF. */
    public void send(String line) throws IOException {
        sendBytes(line.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends raw bytes and CRLF. */
    public void sendBytes(byte[] line) throws IOException {
        byte[] all = java.util.Arrays.copyOf(line, line.length + 2);
        all[line.length] = '\r';
        all[line.length + 1] = '\n';
        out.write(all);
        out.flush();
    }

    /** The next line without its CRLF (bytes read as ISO-8859-1), or null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
