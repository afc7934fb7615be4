package org.jamespack.auth.kopano.standin;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jcip.annotations.NotThreadSafe;

/**
 * A bare SOAP client for tests of the stand-in and for the benchmark's baseline: one keep-alive
 * connection, requests written as given, answers returned as text. It knows nothing of verdicts.
 *
 * <p>Not thread-safe: one connection, one thread.
 */
@NotThreadSafe
public final class SoapProbe implements AutoCloseable {

    private static final Pattern ER = Pattern.compile("<er>(\\d+)</er>");
    private static final Pattern SESSION = Pattern.compile("<ulSessionId>(\\d+)</ulSessionId>");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** The HTTP status, headers and body of one answer. */
    public record Answer(int status, String headers, String body) {
        public long er() {
            Matcher m = ER.matcher(body);
            return m.find() ? Long.parseUnsignedLong(m.group(1)) : -1;
        }

        public long sessionId() {
            Matcher m = SESSION.matcher(body);
            return m.find() ? Long.parseUnsignedLong(m.group(1)) : 0;
        }
    }

    private SoapProbe(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public static SoapProbe connect(int port) throws IOException {
        return connect(port, null);
    }

    /** Connects from {@code source} (e.g. 127.0.0.2, another loopback address), or any when null. */
    public static SoapProbe connect(int port, InetAddress source) throws IOException {
        Socket s = new Socket();
        if (source != null) {
            s.bind(new InetSocketAddress(source, 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return new SoapProbe(s);
    }

    /** A SOAP 1.1 envelope around {@code method} in urn:zarafa. */
    public static String envelope(String method) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope "
            + "xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            + "xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" "
            + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
            + "xmlns:ns=\"urn:zarafa\"><SOAP-ENV:Body SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
            + method + "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
    }

    /** A logon with the given flags and capabilities; user and password must need no escaping. */
    public static String logon(String user, String password, long flags, long caps) {
        return envelope("<ns:logon><szUsername>" + user + "</szUsername><szPassword>" + password + "</szPassword>"
            + "<szImpersonateUser></szImpersonateUser><szVersion>8,7,0</szVersion><ulCapabilities>" + caps
            + "</ulCapabilities><ulFlags>" + flags + "</ulFlags><sLicenseReq></sLicenseReq>"
            + "<ullSessionGroup>0</ullSessionGroup><szClientApp>probe</szClientApp>"
            + "<szClientAppVersion>1</szClientAppVersion><szClientAppMisc>probe</szClientAppMisc></ns:logon>");
    }

    public static String getUser(String session) {
        return envelope("<ns:getUser><ulSessionId>" + session + "</ulSessionId><ulUserId>0</ulUserId><sUserId></sUserId></ns:getUser>");
    }

    public static String logoff(String session) {
        return envelope("<ns:logoff><ulSessionId>" + session + "</ulSessionId></ns:logoff>");
    }

    /** POSTs {@code xml} to /kopano and reads the answer. */
    public Answer post(String xml) throws IOException {
        return request("POST", xml);
    }

    public Answer request(String method, String xml) throws IOException {
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        String head = method + " /kopano HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n"
            + "Content-Length: " + body.length + "\r\nConnection: keep-alive\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        // one segment, as a tuned client sends it: the benchmark's baseline must not be handicapped
        out.write(all);
        out.flush();
        return read();
    }

    /** Sends raw bytes (a chunked body, an Expect header) and reads the final answer. */
    public Answer raw(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        Answer a = read();
        while (a.status() == 100) {
            a = read();
        }
        return a;
    }

    private Answer read() throws IOException {
        String status = line();
        StringBuilder headers = new StringBuilder();
        int length = 0;
        for (String h = line(); !h.isEmpty(); h = line()) {
            headers.append(h).append('\n');
            if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        byte[] body = code == 100 ? new byte[0] : in.readNBytes(length);
        return new Answer(code, headers.toString(), new String(body, StandardCharsets.UTF_8));
    }

    /** Whether the server closed the connection (reads EOF within a second). */
    public boolean closedByServer() throws IOException {
        socket.setSoTimeout(1000);
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed");
            }
            if (b == '\n') {
                return s.toString().replace("\r", "");
            }
            s.append((char) b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
