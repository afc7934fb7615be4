package org.jamespack.relay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A TLS front for GreenMail (whose SMTP server has no STARTTLS): it speaks the SMTP greeting,
 * EHLO and STARTTLS itself with a certificate of the test CA, then passes every line through to
 * GreenMail, which does EHLO (with its AUTH list), AUTH XOAUTH2/PLAIN/LOGIN and the transaction.
 * Like stunnel in front of a mail server, but it answers EHLO itself (in one write, offering GreenMail's AUTH
 * mechanisms and any keywords added with {@link #offer}). Rules let it answer chosen client lines itself (a
 * smarthost's 4xx or a 550 for one recipient, which GreenMail cannot produce). It records the
 * identities authenticated with XOAUTH2 (never the token) and the commands it saw.
 * {@link Mode#PLAIN_ONLY} never offers STARTTLS and never talks to GreenMail.
 */
public final class SmtpFront implements AutoCloseable {

    public enum Mode { STARTTLS, IMPLICIT, PLAIN_ONLY }

    private record Rule(Pattern line, String reply, AtomicInteger times) {
    }

    private final Mode mode;
    private final SSLContext tls;
    private final int backendPort;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smtp-front");
        t.setDaemon(true);
        return t;
    });
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<String> authUsers = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> errorAnswers = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Predicate<String> acceptedToken;
    private final List<String> extensions = new CopyOnWriteArrayList<>();
    private volatile long dataEndPauseMillis;
    private final Timeline timeline = new Timeline();

    public SmtpFront(Mode mode, SSLContext tls, int backendPort) throws IOException {
        this.mode = mode;
        this.tls = tls;
        this.backendPort = backendPort;
        this.server = mode == Mode.IMPLICIT
            ? tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
            : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Answers client lines matching {@code regex} with {@code reply} ({@code times} times; -1: always). */
    public SmtpFront rule(String regex, String reply, int times) {
        rules.add(new Rule(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), reply, new AtomicInteger(times)));
        return this;
    }

    /**
     * Adds EHLO keywords to what the front offers after TLS ({@code "SIZE 1000"}, {@code "DSN"}, {@code "SMTPUTF8"}), as a
     * smarthost that has those extensions; GreenMail behind ignores the parameters they bring.
     */
    public SmtpFront offer(String... keywords) {
        extensions.addAll(List.of(keywords));
        return this;
    }

    /** Holds each message's final {@code .} this long before passing it on: a smarthost slow to answer it. */
    public SmtpFront pauseBeforeDataEnd(java.time.Duration pause) {
        this.dataEndPauseMillis = pause.toMillis();
        return this;
    }

    private void pauseBeforeDataEnd() {
        long pause = dataEndPauseMillis;
        if (pause > 0) {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The EHLO reply after TLS: GreenMail's AUTH mechanisms (or the emulated Dovecot's), then the added keywords. */
    private String ehloReply() {
        List<String> lines = new java.util.ArrayList<>();
        lines.add("front.test");
        lines.add(acceptedToken != null ? "AUTH XOAUTH2 OAUTHBEARER" : "AUTH PLAIN LOGIN XOAUTH2");
        lines.addAll(extensions);
        lines.add("8BITMIME");
        StringBuilder reply = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            reply.append(i == lines.size() - 1 ? "250 " : "250-").append(lines.get(i)).append("\r\n");
        }
        return reply.toString();
    }

    /** Users that sent AUTH XOAUTH2, in order. */
    public List<String> authUsers() {
        return List.copyOf(authUsers);
    }

    /** Client commands seen (AUTH lines shortened to the mechanism; no credential). */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /**
     * Answers AUTH XOAUTH2 / OAUTHBEARER itself the way Dovecot's submission server does (as measured,
     * see reference/test-servers.md): {@code 235 2.7.0 Logged in.} for a token {@code accepted} approves; otherwise
     * a {@code 334} JSON error challenge, then, after the client's answer, {@code 535 5.7.8}.
     * GreenMail behind stays unauthenticated (it accepts mail anyway).
     */
    public SmtpFront dovecotStyleAuth(java.util.function.Predicate<String> accepted) {
        this.acceptedToken = accepted;
        return this;
    }

    /** What the client answered to each error challenge ("" for an empty line). */
    public List<String> errorAnswers() {
        return List.copyOf(errorAnswers);
    }

    public int connections() {
        return connections.get();
    }

    /** Where this front's connections spent their time, as the front saw it (for benchmarks). */
    public Timeline timeline() {
        return timeline;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Timeline.Marks marks = timeline.accepted();
                threads.submit(() -> serve(s, marks));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** GreenMail's connection with its greeting read; opened as the client connects, so its greeting does not delay the client. */
    private record Backend(Socket socket, String greeting) {
    }

    private Backend backend() throws IOException {
        Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
        try {
            backend.setSoTimeout(30_000);
            backend.setTcpNoDelay(true);
            return new Backend(backend, String.valueOf(readLine(backend.getInputStream())));
        } catch (IOException e) {
            backend.close();
            throw e;
        }
    }

    private void serve(Socket client, Timeline.Marks marks) {
        java.util.concurrent.Future<Backend> opening = mode == Mode.PLAIN_ONLY ? null : threads.submit(this::backend);
        try (Socket c = client) {
            c.setSoTimeout(30_000);
            // a front must not add latency a real smarthost does not have: it forwards line by line, and with Nagle
            // each reused connection's DATA would wait for a delayed ACK (40 ms) that fresh connections (quick-ACK) escape
            c.setTcpNoDelay(true);
            Socket secured = c;
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            if (mode != Mode.IMPLICIT) {
                write(out, "220 front.test ESMTP\r\n");
                while (true) {
                    String line = readLine(in);
                    if (line == null) {
                        return;
                    }
                    commands.add(line);
                    String upper = line.toUpperCase();
                    if (upper.startsWith("EHLO")) {
                        marks.mark(Timeline.Step.EHLO);
                        write(out, mode == Mode.STARTTLS ? "250-front.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n"
                            : "250-front.test\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 8BITMIME\r\n");
                    } else if (upper.startsWith("STARTTLS") && mode == Mode.STARTTLS) {
                        marks.mark(Timeline.Step.STARTTLS);
                        write(out, "220 2.0.0 Ready to start TLS\r\n");
                        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(c, "localhost", c.getPort(), true);
                        ssl.setUseClientMode(false);
                        ssl.startHandshake();
                        marks.mark(Timeline.Step.TLS_DONE);
                        secured = ssl;
                        break;
                    } else if (upper.startsWith("QUIT")) {
                        write(out, "221 2.0.0 Bye\r\n");
                        return;
                    } else {
                        write(out, "530 5.7.0 Must issue a STARTTLS command first\r\n");
                    }
                }
            }
            pipe(secured, mode == Mode.IMPLICIT, opened(opening), marks);
        } catch (IOException e) {
            // the client went away; nothing to clean up beyond the socket
        } finally {
            timeline.closed(marks);
            if (opening != null) {
                opening.cancel(false);
                try {
                    if (opening.isDone() && !opening.isCancelled()) {
                        opening.get().socket().close();
                    }
                } catch (Exception e) {
                    // GreenMail was not reached: nothing to close
                }
            }
        }
    }

    private static Backend opened(java.util.concurrent.Future<Backend> opening) throws IOException {
        try {
            return opening.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void pipe(Socket client, boolean forwardGreeting, Backend opened, Timeline.Marks marks) throws IOException {
        try (Socket backend = opened.socket()) {
            InputStream bin = backend.getInputStream();
            OutputStream bout = backend.getOutputStream();
            InputStream cin = client.getInputStream();
            OutputStream cout = client.getOutputStream();
            String greeting = opened.greeting();
            if (forwardGreeting) {
                write(cout, greeting + "\r\n");
            }
            threads.submit(() -> {
                try {
                    String reply;
                    while ((reply = readLine(bin)) != null) {
                        synchronized (cout) {
                            write(cout, reply + "\r\n");
                        }
                    }
                } catch (IOException e) {
                    // either side closed
                }
                return null;
            });
            boolean inData = false;
            while (true) {
                String line = readLine(cin);
                if (line == null) {
                    return;
                }
                if (inData) {
                    if (line.equals(".")) {
                        marks.mark(Timeline.Step.DATA_END);
                        inData = false;
                        pauseBeforeDataEnd();
                    }
                    write(bout, line + "\r\n");
                    continue;
                }
                String upper = line.toUpperCase();
                if (upper.startsWith("EHLO ") || upper.startsWith("HELO ")) {
                    // answered here in one write: GreenMail writes its two EHLO lines apart, and without TCP_NODELAY on its side
                    // the second waits for a delayed ACK (40 ms), a stall a real smarthost does not have; GreenMail needs no
                    // HELO before MAIL, and the front knows the AUTH mechanisms it offers
                    marks.mark(Timeline.Step.EHLO_TLS);
                    commands.add(line);
                    synchronized (cout) {
                        write(cout, ehloReply());
                    }
                    continue;
                }
                if (upper.startsWith("AUTH ")) {
                    marks.mark(Timeline.Step.AUTH);
                } else if (upper.startsWith("MAIL ")) {
                    marks.mark(Timeline.Step.MAIL);
                } else if (upper.startsWith("QUIT")) {
                    marks.mark(Timeline.Step.QUIT);
                }
                if (acceptedToken != null && line.toUpperCase().startsWith("AUTH ")) {
                    commands.add(authCommand(line));
                    emulateAuth(line, cin, cout);
                    continue;
                }
                commands.add(redact(line));
                String reply = ruleReply(line);
                if (reply != null) {
                    synchronized (cout) {
                        write(cout, reply + "\r\n");
                    }
                    continue;
                }
                if (line.equalsIgnoreCase("DATA")) {
                    inData = true;
                }
                write(bout, line + "\r\n");
            }
        }
    }

    private static String authCommand(String line) {
        String[] parts = line.split(" ");
        return parts.length > 2 ? "AUTH " + parts[1] + " (initial response)" : "AUTH " + parts[1];
    }

    private void emulateAuth(String line, InputStream cin, OutputStream cout) throws IOException {
        String[] parts = line.split(" ");
        String mech = parts[1].toUpperCase();
        String ir;
        if (parts.length > 2) {
            ir = parts[2];
        } else {
            write(cout, "334 \r\n");
            ir = readLine(cin);
        }
        String raw = new String(Base64.getDecoder().decode(ir.trim()), StandardCharsets.UTF_8);
        int at = raw.indexOf("auth=Bearer ");
        String token = at < 0 ? "" : raw.substring(at + 12, raw.indexOf('\u0001', at));
        String user = mech.equals("XOAUTH2") ? raw.substring(raw.indexOf("user=") + 5, raw.indexOf('\u0001'))
            : raw.substring(raw.indexOf("a=") + 2, raw.indexOf(',', raw.indexOf("a=")));
        authUsers.add(user);
        if (acceptedToken.test(token)) {
            write(cout, "235 2.7.0 Logged in.\r\n");
            return;
        }
        String json = mech.equals("XOAUTH2") ? "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}"
            : "{\"status\":\"invalid_token\"}";
        write(cout, "334 " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)) + "\r\n");
        String answer = readLine(cin);
        errorAnswers.add(answer == null ? "(closed)" : answer);
        write(cout, "535 5.7.8 Authentication failed.\r\n");
    }

    private String redact(String line) {
        String upper = line.toUpperCase();
        if (upper.startsWith("AUTH XOAUTH2 ")) {
            String raw = new String(Base64.getDecoder().decode(line.substring(13).trim()), StandardCharsets.UTF_8);
            String user = raw.substring(raw.indexOf("user=") + 5, raw.indexOf('\u0001'));
            authUsers.add(user);
            return "AUTH XOAUTH2 (user " + user + ")";
        }
        if (upper.startsWith("AUTH ")) {
            String[] parts = line.split(" ");
            return "AUTH " + parts[1];
        }
        return line;
    }

    private String ruleReply(String line) {
        for (Rule r : rules) {
            if (r.line().matcher(line).find()) {
                int left = r.times().get();
                if (left == 0) {
                    continue;
                }
                if (left > 0) {
                    r.times().decrementAndGet();
                }
                return r.reply();
            }
        }
        return null;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        return CrlfLines.readLine(in);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
