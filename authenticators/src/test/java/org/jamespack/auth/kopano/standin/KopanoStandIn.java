package org.jamespack.auth.kopano.standin;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.ThreadSafe;

/**
 * A Kopano server as far as a password check sees it: MAPI-in-SOAP {@code logon}, {@code getUser}
 * and {@code logoff} over HTTP/1.1 on 127.0.0.1 (or a UNIX socket), written from a description
 * of the wire protocol only, as the package documentation of {@code org.jamespack.auth.kopano}
 * gives it (Kopano is AGPL; nothing here comes from its code or from gSOAP output).
 *
 * <p>Thread-safe: one thread per connection; every knob may be turned while clients are talking.
 *
 * <p>What it does like the real server: unqualified parameters matched by local name, absent
 * meaning NULL or 0; omitted null strings (or {@code xsi:nil} with {@link #nilForNulls});
 * unsigned session ids, all at or above 2^63; a Fault with HTTP 500 and a closed connection for
 * protocol errors (wrong namespace, an unknown method, a negative session id); 405 with a Fault
 * for GET, HEAD, PUT, DELETE; keep-alive with an idle time-out (5 s, shorter for tests); sessions
 * bound to the source address (END_OF_SESSION otherwise); 0x80000031 without the Unicode bit
 * (Kopano 11 flavour); 0x80000021 for a client version below 6; every logon failure answered
 * 0x80000009; the feature lists merged from the server's {@code disabled_features} (default
 * {@code imap pop3}) and each user's overrides. In UNIX-socket mode it behaves like a server
 * whose {@code local_admin_users} holds the caller: without ulFlags 0x1 any password is taken.
 *
 * <p>What it adds for tests: outage modes, counters, the flags and capabilities of every logon,
 * and a list of client violations (capability bits beyond 528, i.e. compression or enhanced ICS,
 * a non-empty impersonation or license request, a qualified parameter) for tests to assert empty.
 */
@ThreadSafe
public final class KopanoStandIn implements AutoCloseable {

    public static final long LOGON_FAILED = 0x80000009L;
    public static final long END_OF_SESSION = 0x80000010L;
    public static final long INVALID_VERSION = 0x80000021L;
    public static final long UNICODE_MISSING = 0x80000031L;
    public static final long ACTIVE_USER = 65537L;
    public static final long PROP_DISABLED = 1739853854L;
    public static final long PROP_ENABLED = 1739788318L;
    /** A multi-valued property a check must skip (a real server sends many). */
    public static final long PROP_UNRELATED = 0x8001101EL;
    /** The capability bits a password check may ask for: Unicode (0x200) and 64-bit session ids (0x10). */
    public static final long ALLOWED_CAPABILITIES = 528;

    private static final String NS_ENV = "http://schemas.xmlsoap.org/soap/envelope/";
    private static final String NS_ZARAFA = "urn:zarafa";
    private static final Pattern CLIENT_VERSION = Pattern.compile("\\s*(\\d+)\\s*,\\s*\\d+\\s*,\\s*\\d+.*");

    /** Which server the stand-in plays. */
    public enum Flavour {
        KOPANO_11("0,11,0,2", List.of("imap", "pop3", "mobile", "outlook", "webapp"), 39592, true, true, false),
        KOPANO_8_4("0,8,4,5", List.of("imap", "pop3", "mobile", "outlook"), 6824, false, false, false),
        ZARAFA_7_2("0,7,2,0,48204", List.of("imap", "pop3"), 6824, false, false, true),
        /** Zarafa before 7: no features at all. */
        ZARAFA_6("0,6,40,17,42000", List.of(), 6824, false, false, true);

        final String version;
        final List<String> features;
        final long caps;
        final boolean enforcesUnicode;
        final boolean honoursNoRegisterSession;
        final boolean zarafaFailureShape;

        Flavour(String version, List<String> features, long caps, boolean enforcesUnicode,
                boolean honoursNoRegisterSession, boolean zarafaFailureShape) {
            this.version = version;
            this.features = features;
            this.caps = caps;
            this.enforcesUnicode = enforcesUnicode;
            this.honoursNoRegisterSession = honoursNoRegisterSession;
            this.zarafaFailureShape = zarafaFailureShape;
        }
    }

    /** How the server fails, for outage tests. */
    public enum Outage {
        NONE,
        /** HTTP 500 with an HTML body, connection closed. */
        HTTP_500,
        /** HTTP 500 with a SOAP Fault, connection closed. */
        SOAP_FAULT,
        /** The connection is reset (RST) once the request is read. */
        RESET,
        /** The request is read and never answered. */
        HANG,
        /** HTTP 200 with a body that is not XML. */
        GARBAGE
    }

    /**
     * How {@link #malformErrorCode} spoils the {@code er} of an answer: shapes a gSOAP client
     * would read as 0 (success), and one that is no number at all.
     */
    public enum BadErrorCode {
        /** No {@code er} element. */
        ABSENT(""),
        /** {@code <er xsi:nil="true"/>}. */
        NIL("<er xsi:nil=\"true\"/>"),
        /** {@code <er></er>}. */
        EMPTY("<er></er>"),
        /** {@code <er>OK</er>}. */
        NOT_A_NUMBER("<er>OK</er>");

        final String replacement;

        BadErrorCode(String replacement) {
            this.replacement = replacement;
        }
    }

    /** One logon as received, for assertions. */
    public record LogonRequest(String username, long flags, long capabilities, String clientVersion, String source) {
    }

    /** A user with a password, an object class and feature overrides. Thread-safe. */
    public static final class User {
        private final String name;
        private volatile String password;
        private volatile long objectClass = ACTIVE_USER;
        private volatile boolean logonDespiteClass;
        private final Set<String> enabled = ConcurrentHashMap.newKeySet();
        private final Set<String> disabled = ConcurrentHashMap.newKeySet();

        User(String name, String password) {
            this.name = name;
            this.password = password;
        }

        public User password(String newPassword) {
            this.password = newPassword;
            return this;
        }

        /** 65537 active user; 65538 non-active; 0x10003 room; 0x20001 contact, and so on. */
        public User objectClass(long cls) {
            this.objectClass = cls;
            return this;
        }

        /**
         * Lets a non-active object log on, which the real server refuses (as 0x80000009), so that
         * a test can reach the verifier's own object-class check.
         */
        public User logonDespiteClass() {
            this.logonDespiteClass = true;
            return this;
        }

        /** Features this user has switched on beyond the server default. */
        public User enable(String... features) {
            for (String f : features) {
                enabled.add(f.toLowerCase(Locale.ROOT));
                disabled.remove(f.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** Features this user has switched off. */
        public User disable(String... features) {
            for (String f : features) {
                disabled.add(f.toLowerCase(Locale.ROOT));
                enabled.remove(f.toLowerCase(Locale.ROOT));
            }
            return this;
        }
    }

    private record Session(User user, String source) {
    }

    private final Flavour flavour;
    private final boolean unixMode;
    private final Path unixPath;
    private final ServerSocket tcp;
    private final ServerSocketChannel unix;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kopano-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    /** The latest logons, bounded so that a benchmark's hundred thousand logons cost nothing. */
    private final java.util.Deque<LogonRequest> logons = new java.util.ArrayDeque<>();
    private static final int LOGONS_KEPT = 1000;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread acceptor;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger successfulLogons = new AtomicInteger();
    private final AtomicInteger logoffs = new AtomicInteger();
    private final AtomicInteger getUsers = new AtomicInteger();
    private final AtomicInteger expireBeforeGetUser = new AtomicInteger();
    private final AtomicLong forcedLogonError = new AtomicLong();
    private volatile List<String> serverDisabled = List.of("imap", "pop3");
    private volatile Duration idleTimeout = Duration.ofSeconds(5);
    private volatile Outage outage = Outage.NONE;
    private volatile boolean withoutFeatures;
    private volatile boolean nilForNulls;
    private volatile @Nullable BadErrorCode badErrorCode;
    private volatile Set<String> badErrorCodeMethods = Set.of();

    private KopanoStandIn(Flavour flavour, ServerSocket tcp, ServerSocketChannel unix, Path unixPath) {
        this.flavour = flavour;
        this.tcp = tcp;
        this.unix = unix;
        this.unixPath = unixPath;
        this.unixMode = unix != null;
        this.acceptor = new Thread(this::acceptLoop, "kopano-stand-in-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A Kopano 11 on 127.0.0.1 and a free port. */
    public static KopanoStandIn start() throws IOException {
        return start(Flavour.KOPANO_11);
    }

    public static KopanoStandIn start(Flavour flavour) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new KopanoStandIn(flavour, s, null, null);
    }

    /**
     * A Kopano 11 speaking TLS on 127.0.0.1 with the key in {@code keyStore} (PKCS12). It asks
     * for a client certificate without requiring one, and records a violation when the client
     * presents one: Kopano would log such a client in without its password.
     */
    public static KopanoStandIn startTls(Path keyStore, char[] password) throws IOException {
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                ks.load(in, password);
            }
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            // accept any client certificate, only to notice that one was offered
            javax.net.ssl.TrustManager anyClient = new javax.net.ssl.X509TrustManager() {
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
            };
            ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {anyClient}, null);
            javax.net.ssl.SSLServerSocket s = (javax.net.ssl.SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
            s.setWantClientAuth(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new KopanoStandIn(Flavour.KOPANO_11, s, null, null);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /**
     * A server on a UNIX socket at {@code socket} that, like a real one with the caller in
     * {@code local_admin_users}, takes any password for an existing user unless ulFlags has 0x1.
     */
    public static KopanoStandIn startUnix(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        return new KopanoStandIn(Flavour.KOPANO_11, null, ch, socket);
    }

    /** {@code http://127.0.0.1:port/kopano}, or {@code file:///…} in UNIX-socket mode. */
    public URI url() {
        if (unixMode) {
            return unixPath.toUri();
        }
        String scheme = tcp instanceof javax.net.ssl.SSLServerSocket ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + tcp.getLocalPort() + "/kopano");
    }

    public int port() {
        return tcp.getLocalPort();
    }

    public User addUser(String name, String password) {
        User u = new User(name, password);
        users.put(name.toLowerCase(Locale.ROOT), u);
        return u;
    }

    /** The server's {@code disabled_features}; {@code imap pop3} unless set. */
    public KopanoStandIn serverDisabledFeatures(String... features) {
        List<String> l = new ArrayList<>();
        for (String f : features) {
            l.add(f.toLowerCase(Locale.ROOT));
        }
        serverDisabled = List.copyOf(l);
        return this;
    }

    public KopanoStandIn idleTimeout(Duration idle) {
        this.idleTimeout = idle;
        return this;
    }

    public KopanoStandIn outage(Outage mode) {
        this.outage = mode;
        return this;
    }

    /** Answers every logon with {@code er} (0 to stop), as a misbehaving or differently configured server would. */
    public KopanoStandIn forceLogonError(long er) {
        forcedLogonError.set(er);
        return this;
    }

    /** The next {@code n} getUser calls find their session expired (as after the 300 s idle time-out). */
    public KopanoStandIn expireSessionsBeforeGetUser(int n) {
        expireBeforeGetUser.set(n);
        return this;
    }

    /** getUser sends no feature lists, as a server without features (Zarafa before 7). */
    public KopanoStandIn withoutFeatures(boolean on) {
        this.withoutFeatures = on;
        return this;
    }

    /**
     * Answers of the named methods ({@code logon}, {@code getUser}) carry {@code shape} in place of
     * their {@code er} (null to stop), whatever the password: a faulty server, or something
     * posing as one. A logon answer keeps its session id when the password was right, so only
     * the missing error code can tell the client that something is wrong.
     */
    public KopanoStandIn malformErrorCode(@Nullable BadErrorCode shape, String... methods) {
        this.badErrorCodeMethods = Set.of(methods);
        this.badErrorCode = shape;
        return this;
    }

    /** Null strings as {@code xsi:nil="true"} (older gSOAP) instead of omitted. */
    public KopanoStandIn nilForNulls(boolean on) {
        this.nilForNulls = on;
        return this;
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public int successfulLogons() {
        return successfulLogons.get();
    }

    public int logoffs() {
        return logoffs.get();
    }

    public int getUserCalls() {
        return getUsers.get();
    }

    public int openSessions() {
        return sessions.size();
    }

    /** The latest logons (up to 1000), oldest first. */
    public List<LogonRequest> logons() {
        synchronized (logons) {
            return List.copyOf(logons);
        }
    }

    /** What the client did that a password check must not do; a test asserts this empty. */
    public List<String> clientViolations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            if (tcp != null) {
                tcp.close();
            }
            if (unix != null) {
                unix.close();
                Files.deleteIfExists(unixPath);
            }
        } catch (IOException ignored) {
            // the test is over; a socket that fails to close is reclaimed with the JVM
        }
        try {
            // the listening socket is only really gone once the blocked accept has returned;
            // until then a client could still connect into the backlog and wait for nothing
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // as above
            }
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (closed.getCount() > 0) {
            try {
                if (unixMode) {
                    SocketChannel ch = unix.accept();
                    if (closed.getCount() == 0) {
                        ch.close();
                        return;
                    }
                    connections.incrementAndGet();
                    open.add(ch);
                    threads.execute(() -> serve(Conn.of(ch)));
                } else {
                    Socket s = tcp.accept();
                    if (closed.getCount() == 0) {
                        s.close();
                        return;
                    }
                    s.setTcpNoDelay(true);
                    connections.incrementAndGet();
                    open.add(s);
                    threads.execute(() -> serve(Conn.of(s)));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** A connection: socket or UNIX channel. */
    private record Conn(InputStream in, OutputStream out, Socket socket, SocketChannel channel, String source) {
        static Conn of(Socket s) {
            try {
                return new Conn(new java.io.BufferedInputStream(s.getInputStream()), s.getOutputStream(), s, null,
                    s.getInetAddress().getHostAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Conn of(SocketChannel ch) {
            return new Conn(new java.io.BufferedInputStream(Channels.newInputStream(ch)), Channels.newOutputStream(ch),
                null, ch, "unix");
        }

        void close() {
            try {
                if (socket != null) {
                    socket.close();
                } else {
                    channel.close();
                }
            } catch (IOException ignored) {
                // gone either way
            }
        }

        void reset() {
            try {
                if (socket != null) {
                    socket.setSoLinger(true, 0);
                }
            } catch (IOException ignored) {
                // closing below still ends the connection
            }
            close();
        }
    }

    private void serve(Conn c) {
        try {
            if (c.socket() instanceof javax.net.ssl.SSLSocket) {
                javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) c.socket();
                ssl.setSoTimeout(10_000);
                ssl.startHandshake();
                try {
                    ssl.getSession().getPeerCertificates();
                    violations.add("the client presented a TLS certificate (Kopano logs such a client in without a password)");
                } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
                    // as it must be: no client certificate
                }
            }
            while (closed.getCount() > 0) {
                if (c.socket() != null) {
                    c.socket().setSoTimeout((int) idleTimeout.toMillis());
                }
                String requestLine;
                try {
                    requestLine = line(c.in(), true);
                } catch (SocketTimeoutException | EOFException e) {
                    return;
                }
                if (requestLine == null) {
                    return;
                }
                if (c.socket() != null) {
                    c.socket().setSoTimeout(30_000);
                }
                String[] parts = requestLine.split(" ");
                String method = parts[0];
                long length = -1;
                boolean chunked = false;
                boolean expectContinue = false;
                boolean clientCloses = requestLine.endsWith("HTTP/1.0");
                for (String h = line(c.in(), false); !h.isEmpty(); h = line(c.in(), false)) {
                    int colon = h.indexOf(':');
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = h.substring(colon + 1).trim();
                    if (name.equals("content-length")) {
                        length = Long.parseLong(value);
                    } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                        chunked = true;
                    } else if (name.equals("expect") && value.equalsIgnoreCase("100-continue")) {
                        expectContinue = true;
                    } else if (name.equals("connection")) {
                        clientCloses = value.toLowerCase(Locale.ROOT).contains("close");
                    } else if (name.equals("accept-encoding") && !value.equalsIgnoreCase("identity")) {
                        violations.add("asked for HTTP compression: Accept-Encoding " + value);
                    }
                }
                if (!method.equals("POST")) {
                    respond(c, 405, fault("SOAP-ENV:Client", "HTTP " + method + " method not implemented"), true);
                    return;
                }
                if (expectContinue) {
                    c.out().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    c.out().flush();
                }
                byte[] body = chunked ? chunked(c.in()) : exactly(c.in(), (int) Math.max(0, length));
                switch (outage) {
                    case HTTP_500:
                        respondRaw(c, 500, "text/html", "<html><body>Internal Server Error</body></html>", true);
                        return;
                    case SOAP_FAULT:
                        respond(c, 500, fault("SOAP-ENV:Server", "stand-in outage"), true);
                        return;
                    case RESET:
                        c.reset();
                        return;
                    case HANG:
                        closed.await(120, TimeUnit.SECONDS);
                        return;
                    case GARBAGE:
                        respondRaw(c, 200, "text/xml; charset=utf-8", "this is not XML <<<", false);
                        continue;
                    default:
                        break;
                }
                Reply reply = handle(new String(body, StandardCharsets.UTF_8), c.source());
                respond(c, reply.status, reply.xml, reply.close || clientCloses);
                if (reply.close || clientCloses) {
                    return;
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the client went away or sent nonsense; the connection ends like Kopano's would
        } finally {
            c.close();
            open.remove(c.socket() != null ? c.socket() : c.channel());
        }
    }

    private record Reply(int status, String xml, boolean close) {
    }

    private Reply handle(String xml, String source) {
        Node envelope;
        try {
            envelope = parse(xml);
        } catch (XMLStreamException | RuntimeException e) {
            return new Reply(500, fault("SOAP-ENV:Client", "malformed XML"), true);
        }
        if (!envelope.local.equals("Envelope") || !NS_ENV.equals(envelope.ns)) {
            return new Reply(500, fault("SOAP-ENV:VersionMismatch", "SOAP version mismatch or no SOAP message"), true);
        }
        Node body = envelope.child("Body");
        if (body == null || body.children.isEmpty()) {
            return new Reply(500, fault("SOAP-ENV:Client", "no method"), true);
        }
        Node call = body.children.get(0);
        if (!NS_ZARAFA.equals(call.ns)) {
            return new Reply(500, fault("SOAP-ENV:Client", "Method '" + call.qname + "' not implemented: method name or namespace not recognized"), true);
        }
        for (Node p : call.children) {
            if (p.ns != null && !p.ns.isEmpty()) {
                violations.add("qualified parameter element " + p.qname + " in " + call.local);
            }
        }
        try {
            switch (call.local) {
                case "logon":
                    return new Reply(200, spoilErrorCode("logon", logon(call, source)), false);
                case "getUser":
                    return new Reply(200, spoilErrorCode("getUser", getUser(call, source)), false);
                case "logoff":
                    return new Reply(200, logoff(call, source), false);
                default:
                    return new Reply(500, fault("SOAP-ENV:Client", "Method '" + call.qname + "' not implemented"), true);
            }
        } catch (InvalidValue e) {
            return new Reply(500, fault("SOAP-ENV:Client", "Validation constraint violation: invalid value in element '"
                + e.getMessage() + "'"), true);
        }
    }

    private String logon(Node call, String source) throws InvalidValue {
        String username = call.text("szUsername");
        String password = call.text("szPassword");
        long caps = call.unsigned("ulCapabilities");
        long flags = call.unsigned("ulFlags");
        String version = call.text("szVersion");
        synchronized (logons) {
            if (logons.size() == LOGONS_KEPT) {
                logons.removeFirst();
            }
            logons.addLast(new LogonRequest(username, flags, caps, version, source));
        }
        if ((caps & ~ALLOWED_CAPABILITIES) != 0) {
            violations.add("logon asked for capability bits 0x" + Long.toHexString(caps & ~ALLOWED_CAPABILITIES)
                + " beyond 528 (compression or enhanced ICS?)");
        }
        String impersonate = call.text("szImpersonateUser");
        if (impersonate != null && !impersonate.isEmpty()) {
            violations.add("logon asked to impersonate " + impersonate);
        }
        String license = call.text("sLicenseReq");
        if (license != null && !license.isEmpty()) {
            violations.add("logon sent a license request");
        }
        long forced = forcedLogonError.get();
        if (forced != 0) {
            return logonFailure(forced);
        }
        if (flavour.enforcesUnicode && (caps & 0x200) == 0) {
            return logonFailure(UNICODE_MISSING);
        }
        if (version != null) {
            Matcher m = CLIENT_VERSION.matcher(version);
            if (m.matches() && Integer.parseInt(m.group(1)) < 6) {
                return logonFailure(INVALID_VERSION);
            }
        }
        User user = username == null ? null : users.get(username.toLowerCase(Locale.ROOT));
        boolean localAdmin = unixMode && (flags & 0x1) == 0;
        boolean ok = user != null
            && (localAdmin || password != null && password.equals(user.password))
            && (user.objectClass == ACTIVE_USER || user.logonDespiteClass);
        if (!ok) {
            // the real server overwrites every cause with this one code
            return logonFailure(LOGON_FAILED);
        }
        long session = 0;
        if ((flags & 0x2) == 0 || !flavour.honoursNoRegisterSession) {
            do {
                session = random.nextLong() | Long.MIN_VALUE;
            } while (sessions.putIfAbsent(session, new Session(user, source)) != null);
            successfulLogons.incrementAndGet();
        }
        return envelope("<ns:logonResponse><er>0</er><ulSessionId>" + Long.toUnsignedString(session)
            + "</ulSessionId><lpszVersion>" + flavour.version + "</lpszVersion><ulCapabilities>" + flavour.caps
            + "</ulCapabilities><sLicenseResponse></sLicenseResponse><sServerGuid>AQIDBAUGBwgJCgsMDQ4PEA==</sServerGuid>"
            + "</ns:logonResponse>");
    }

    private String logonFailure(long er) {
        if (flavour.zarafaFailureShape) {
            return envelope("<ns:logonResponse><er>" + er + "</er><ulSessionId>0</ulSessionId>" + nullString("lpszVersion")
                + "<ulCapabilities>0</ulCapabilities><sLicenseResponse></sLicenseResponse><sServerGuid></sServerGuid>"
                + "</ns:logonResponse>");
        }
        return envelope("<ns:logonResponse><er>" + er + "</er><ulSessionId>0</ulSessionId><lpszVersion>" + flavour.version
            + "</lpszVersion><ulCapabilities>" + flavour.caps + "</ulCapabilities><sLicenseResponse></sLicenseResponse>"
            + "<sServerGuid></sServerGuid></ns:logonResponse>");
    }

    private String getUser(Node call, String source) throws InvalidValue {
        getUsers.incrementAndGet();
        long id = call.unsigned("ulSessionId");
        Session s = sessions.get(id);
        if (s != null && expireBeforeGetUser.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            sessions.remove(id);
            s = null;
        }
        if (s == null || !s.source.equals(source)) {
            return envelope("<ns:getUserResponse>" + (nilForNulls ? "<lpsUser xsi:nil=\"true\"/>" : "")
                + "<er>" + END_OF_SESSION + "</er></ns:getUserResponse>");
        }
        User u = s.user;
        StringBuilder x = new StringBuilder("<ns:getUserResponse><lpsUser><ulUserId>3</ulUserId><lpszUsername>")
            .append(escape(u.name)).append("</lpszUsername><lpszPassword/><lpszMailAddress>").append(escape(u.name))
            .append("@example.org</lpszMailAddress><lpszFullName>").append(escape(u.name)).append("</lpszFullName>")
            .append(nullString("lpszServername"))
            .append("<ulIsNonActive>").append(u.objectClass == ACTIVE_USER ? 0 : 1).append("</ulIsNonActive>")
            .append("<ulIsAdmin>0</ulIsAdmin><ulIsABHidden>0</ulIsABHidden><ulCapacity>0</ulCapacity><ulObjClass>")
            .append(u.objectClass).append("</ulObjClass>");
        x.append("<lpsMVPropmap>");
        mv(x, PROP_UNRELATED, List.of("imap", "pop3", "noise"));
        if (!flavour.features.isEmpty() && !withoutFeatures) {
            Set<String> disabled = new LinkedHashSet<>(serverDisabled);
            disabled.removeAll(u.enabled);
            disabled.addAll(u.disabled);
            List<String> enabled = new ArrayList<>(flavour.features);
            enabled.removeAll(disabled);
            mv(x, PROP_ENABLED, enabled);
            mv(x, PROP_DISABLED, new ArrayList<>(disabled));
        }
        x.append("</lpsMVPropmap><sUserId>AAAAAAECAwQ=</sUserId></lpsUser><er>0</er></ns:getUserResponse>");
        return envelope(x.toString());
    }

    private static void mv(StringBuilder x, long prop, List<String> values) {
        x.append("<item><ulPropId>").append(prop).append("</ulPropId><sValues SOAP-ENC:arrayType=\"xsd:string[")
            .append(values.size()).append("]\">");
        for (String v : values) {
            x.append("<item>").append(escape(v)).append("</item>");
        }
        x.append("</sValues></item>");
    }

    private String logoff(Node call, String source) throws InvalidValue {
        long id = call.unsigned("ulSessionId");
        Session s = sessions.get(id);
        long result = END_OF_SESSION;
        if (s != null && s.source.equals(source) && sessions.remove(id, s)) {
            logoffs.incrementAndGet();
            result = 0;
        }
        return envelope("<ns:logoffResponse><result>" + result + "</result></ns:logoffResponse>");
    }

    private String spoilErrorCode(String method, String answer) {
        BadErrorCode shape = badErrorCode;
        if (shape == null || !badErrorCodeMethods.contains(method)) {
            return answer;
        }
        return answer.replaceFirst("<er>[^<]*</er>", shape.replacement);
    }

    private String nullString(String element) {
        return nilForNulls ? "<" + element + " xsi:nil=\"true\"/>" : "";
    }

    private static String envelope(String inner) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" + NS_ENV + "\""
            + " xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\""
            + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
            + " xmlns:xop=\"http://www.w3.org/2004/08/xop/include\" xmlns:xmlmime=\"http://www.w3.org/2004/11/xmlmime\""
            + " xmlns:ns=\"urn:zarafa\"><SOAP-ENV:Body SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
            + inner + "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
    }

    private static String fault(String code, String text) {
        return envelope("<SOAP-ENV:Fault><faultcode>" + code + "</faultcode><faultstring>" + escape(text)
            + "</faultstring></SOAP-ENV:Fault>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private void respond(Conn c, int status, String xml, boolean close) throws IOException {
        respondRaw(c, status, "text/xml; charset=utf-8", xml, close);
    }

    private void respondRaw(Conn c, int status, String type, String content, boolean close) throws IOException {
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        String reason = status == 200 ? "OK" : status == 405 ? "Method Not Allowed" : "Internal Server Error";
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nServer: gSOAP/2.8\r\nX-Frame-Options: SAMEORIGIN\r\n"
            + "Content-Type: " + type + "\r\nContent-Length: " + body.length + "\r\nConnection: "
            + (close ? "close" : "keep-alive") + "\r\n\r\n";
        ByteArrayOutputStream all = new ByteArrayOutputStream(head.length() + body.length);
        all.write(head.getBytes(StandardCharsets.US_ASCII));
        all.write(body);
        // one write, as gSOAP sends it: two small segments would meet Nagle and delayed ACKs
        c.out().write(all.toByteArray());
        c.out().flush();
    }

    /** A line of ASCII; null at a clean end of stream when {@code first}. */
    private static String line(InputStream in, boolean first) throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (first && s.length() == 0) {
                    return null;
                }
                throw new EOFException();
            }
            if (b == '\n') {
                int len = s.length();
                return len > 0 && s.charAt(len - 1) == '\r' ? s.substring(0, len - 1) : s.toString();
            }
            if (s.length() > 16384) {
                throw new IOException("line too long");
            }
            s.append((char) b);
        }
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException();
        }
        return b;
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, false);
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            if (n == 0) {
                while (!line(in, false).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(exactly(in, n));
            line(in, false);
        }
    }

    /** A parameter held a value gSOAP refuses (a negative unsigned number, say). */
    private static final class InvalidValue extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidValue(String element) {
            super(element);
        }
    }

    /** A parsed element with its namespace. */
    private static final class Node {
        final String ns;
        final String local;
        final String qname;
        final boolean nil;
        final StringBuilder text = new StringBuilder();
        final List<Node> children = new ArrayList<>();

        Node(String ns, String local, String qname, boolean nil) {
            this.ns = ns;
            this.local = local;
            this.qname = qname;
            this.nil = nil;
        }

        Node child(String name) {
            for (Node n : children) {
                if (n.local.equals(name)) {
                    return n;
                }
            }
            return null;
        }

        /** A parameter's text, null when absent or nil (gSOAP's NULL). */
        String text(String name) {
            Node n = child(name);
            return n == null || n.nil ? null : n.text.toString();
        }

        long unsigned(String name) throws InvalidValue {
            String t = text(name);
            if (t == null || t.isBlank()) {
                return 0;
            }
            try {
                return Long.parseUnsignedLong(t.trim());
            } catch (NumberFormatException e) {
                throw new InvalidValue(name);
            }
        }
    }

    private static Node parse(String xml) throws XMLStreamException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
        List<Node> stack = new ArrayList<>();
        Node root = null;
        while (r.hasNext()) {
            int e = r.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                String prefix = r.getPrefix();
                Node n = new Node(r.getNamespaceURI(), r.getLocalName(),
                    prefix == null || prefix.isEmpty() ? r.getLocalName() : prefix + ":" + r.getLocalName(),
                    "true".equals(r.getAttributeValue("http://www.w3.org/2001/XMLSchema-instance", "nil")));
                if (stack.isEmpty()) {
                    root = n;
                } else {
                    stack.get(stack.size() - 1).children.add(n);
                }
                stack.add(n);
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                stack.remove(stack.size() - 1);
            } else if (e == XMLStreamConstants.CHARACTERS || e == XMLStreamConstants.CDATA) {
                if (!stack.isEmpty()) {
                    stack.get(stack.size() - 1).text.append(r.getText());
                }
            }
        }
        if (root == null) {
            throw new XMLStreamException("empty");
        }
        return root;
    }

    /** Every user the stand-in knows, for diagnostics. */
    public List<String> userNames() {
        List<String> names = new ArrayList<>(users.keySet());
        Collections.sort(names);
        return names;
    }
}
