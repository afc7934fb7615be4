package org.jamespack.it.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.jamespack.relay.testing.CrlfLines;

import net.jcip.annotations.ThreadSafe;

/**
 * The demo's cloud smarthost: SMTP on 127.0.0.1 that takes mail only after STARTTLS and
 * {@code AUTH XOAUTH2} (or OAUTHBEARER) with a token its OAuth2 server calls active, and writes each
 * message as a {@code .eml} file with the authenticated identity in an {@code X-Demo-Auth-User}
 * header. Thread-safe: one thread per connection, files written atomically (temp file, rename).
 *
 * <p>Written by hand because GreenMail (2.1) has no STARTTLS and keeps mail in memory; this is
 * the smallest sink that shows what a relay presented. Not a mail server: no size limits, no
 * pipelining, one recipient list per message.
 */
@ThreadSafe
final class DemoSmarthost implements AutoCloseable {

    private final ServerSocket server;
    private final SSLContext tls;
    private final Predicate<String> tokenActive;
    private final Path inbox;
    private final AtomicInteger received = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-smarthost");
        t.setDaemon(true);
        return t;
    });

    DemoSmarthost(int port, SSLContext tls, Predicate<String> tokenActive, Path inbox) throws IOException {
        this.tls = tls;
        this.tokenActive = tokenActive;
        this.inbox = Files.createDirectories(inbox);
        this.server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    int received() {
        return received.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.submit(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket plain) {
        try (Socket closing = plain) {
            plain.setSoTimeout(120_000);
            plain.setTcpNoDelay(true);
            Socket s = plain;
            boolean secured = false;
            String user = null;
            String from = null;
            StringBuilder rcpts = new StringBuilder();
            write(s, "220 smarthost.demo ESMTP demo smarthost (XOAUTH2 over STARTTLS only)");
            while (true) {
                String line = readLine(s.getInputStream());
                if (line == null) {
                    return;
                }
                String upper = line.toUpperCase();
                if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                    write(s, secured ? "250-smarthost.demo\r\n250-AUTH XOAUTH2 OAUTHBEARER\r\n250 8BITMIME"
                        : "250-smarthost.demo\r\n250-STARTTLS\r\n250 8BITMIME");
                } else if (upper.equals("STARTTLS") && !secured) {
                    write(s, "220 2.0.0 Ready to start TLS");
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
                    ssl.setUseClientMode(false);
                    ssl.startHandshake();
                    s = ssl;
                    secured = true;
                } else if (upper.startsWith("AUTH ")) {
                    if (!secured) {
                        write(s, "530 5.7.0 Must issue a STARTTLS command first");
                        continue;
                    }
                    user = authenticate(s, line);
                } else if (upper.startsWith("MAIL FROM:")) {
                    if (user == null) {
                        write(s, "530 5.7.57 Client not authenticated to send mail");
                        continue;
                    }
                    from = line.substring(10).trim();
                    rcpts.setLength(0);
                    write(s, "250 2.1.0 Sender OK");
                } else if (upper.startsWith("RCPT TO:")) {
                    rcpts.append(rcpts.length() == 0 ? "" : ", ").append(line.substring(8).trim());
                    write(s, "250 2.1.5 Recipient OK");
                } else if (upper.equals("DATA")) {
                    if (from == null || rcpts.length() == 0) {
                        write(s, "503 5.5.1 MAIL and RCPT first");
                        continue;
                    }
                    write(s, "354 Start mail input; end with <CRLF>.<CRLF>");
                    Path file = store(s.getInputStream(), user, from, rcpts.toString());
                    write(s, "250 2.6.0 Queued as " + file.getFileName());
                    from = null;
                } else if (upper.equals("RSET") || upper.equals("NOOP")) {
                    from = upper.equals("RSET") ? null : from;
                    write(s, "250 2.0.0 OK");
                } else if (upper.equals("QUIT")) {
                    write(s, "221 2.0.0 Bye");
                    return;
                } else {
                    write(s, "502 5.5.2 Command not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** XOAUTH2 / OAUTHBEARER as Microsoft and Google answer them, error challenge included; the user, or null. */
    private String authenticate(Socket s, String line) throws IOException {
        String[] parts = line.split(" ");
        String mech = parts.length > 1 ? parts[1].toUpperCase() : "";
        if (!mech.equals("XOAUTH2") && !mech.equals("OAUTHBEARER")) {
            write(s, "504 5.7.4 Unrecognized authentication type");
            return null;
        }
        String response = parts.length > 2 ? parts[2] : null;
        if (response == null) {
            write(s, "334 ");
            response = readLine(s.getInputStream());
        }
        String raw;
        try {
            raw = new String(Base64.getDecoder().decode(response == null ? "" : response.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            write(s, "501 5.5.2 Invalid base64");
            return null;
        }
        String user = mech.equals("XOAUTH2") ? field(raw, "user=", '\u0001') : field(raw, "a=", ',');
        String token = field(raw, "auth=Bearer ", '\u0001');
        if (user != null && token != null && tokenActive.test(token)) {
            write(s, "235 2.7.0 Authentication successful");
            return user;
        }
        String json = mech.equals("XOAUTH2") ? "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\"}"
            : "{\"status\":\"invalid_token\"}";
        write(s, "334 " + Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
        readLine(s.getInputStream());
        write(s, "535 5.7.3 Authentication unsuccessful");
        return null;
    }

    private static String field(String raw, String name, char end) {
        int at = raw.indexOf(name);
        if (at < 0) {
            return null;
        }
        int stop = raw.indexOf(end, at + name.length());
        return stop < 0 ? null : raw.substring(at + name.length(), stop);
    }

    private Path store(InputStream in, String user, String from, String rcpts) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(("X-Demo-Auth-User: " + user + "\r\nX-Demo-Envelope: from " + from + " to " + rcpts + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
        while (true) {
            String line = readLine(in);
            if (line == null || line.equals(".")) {
                break;
            }
            message.writeBytes((line.startsWith(".") ? line.substring(1) : line).getBytes(StandardCharsets.UTF_8));
            message.writeBytes(new byte[] {'\r', '\n'});
        }
        int n = received.incrementAndGet();
        String name = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + n + ".eml";
        Path tmp = inbox.resolve("." + name + ".tmp");
        Files.write(tmp, message.toByteArray());
        return Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void write(Socket s, String reply) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
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
