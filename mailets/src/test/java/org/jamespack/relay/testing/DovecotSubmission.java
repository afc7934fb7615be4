package org.jamespack.relay.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import net.jcip.annotations.ThreadSafe;
import org.jamespack.testing.ReservedPort;
import org.jamespack.testing.TestPorts;

/**
 * A private Dovecot 2.3 submission server, the real XOAUTH2/OAUTHBEARER peer: it checks tokens
 * with its {@code oauth2} passdb at an introspection endpoint and relays accepted mail to a sink
 * (GreenMail). Thread-safe: immutable after {@link #start}; {@link #close} may be called once from
 * any thread.
 *
 * <p>The configuration is written at test time into a short temporary directory (Dovecot's
 * UNIX sockets live under {@code base_dir}, whose path must stay within ≈ 84 characters), with
 * what {@code reference/test-servers.md} found necessary: {@code mail_location} (without it AUTH is
 * followed by {@code 451 4.7.0 Internal error}), the auth penalty switched off (or a good login
 * after failures waits up to 15 s), TLS with a certificate of the {@link TestCa}, and
 * {@code first_valid_uid = 1} so the static userdb may use the {@code dovecot} system user.
 * {@code auth_debug} is on: the tests read Dovecot's own log to see what the client answered to
 * the error challenge ({@code Received AUTH response: …}). That log holds test tokens; it lives
 * and dies with the temporary directory.
 */
@ThreadSafe
public final class DovecotSubmission implements AutoCloseable {

    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");
    private static final Path SUBMISSION = Path.of("/usr/lib/dovecot/submission");

    private final Process process;
    private final Path dir;
    private final int port;
    private final ReservedPort reservation;

    private DovecotSubmission(Process process, Path dir, ReservedPort reservation) {
        this.process = process;
        this.dir = dir;
        this.reservation = reservation;
        this.port = reservation.number();
    }

    /** Why Dovecot's submission server cannot run here, or empty when it can (for JUnit's assumptions). */
    public static Optional<String> unavailable() {
        if (!Files.isExecutable(DOVECOT)) {
            return Optional.of("dovecot is not installed (" + DOVECOT + "; Debian: apt-get install dovecot-core dovecot-submissiond)");
        }
        if (!Files.isExecutable(SUBMISSION)) {
            return Optional.of("Dovecot's submission server is not installed (" + SUBMISSION + "; Debian: dovecot-submissiond)");
        }
        return Optional.empty();
    }

    /**
     * Starts Dovecot and waits for its 220 greeting.
     *
     * @param ca               issues the server certificate (SAN {@code localhost}, IP 127.0.0.1)
     * @param introspectionUrl RFC 7662 endpoint Dovecot posts {@code token=…} to; credentials for it go in the
     *                         URL's user-info ({@code http://client:secret@127.0.0.1:P/issuer/introspect})
     * @param usernameAttribute the introspection answer's field that must equal the SASL user ({@code sub}, {@code username})
     * @param relayPort        the sink on 127.0.0.1 that accepted mail is relayed to
     */
    public static DovecotSubmission start(TestCa ca, URI introspectionUrl, String usernameAttribute, int relayPort) throws Exception {
        // Dovecot exits saying "Address already in use" when a foreign program took the reserved port after its check
        return TestPorts.retryOnBindFailure(() -> startOn(TestPorts.reserve(), ca, introspectionUrl, usernameAttribute, relayPort));
    }

    private static DovecotSubmission startOn(ReservedPort reserved, TestCa ca, URI introspectionUrl, String usernameAttribute,
        int relayPort) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "dv-");
        // login processes run as dovenull and must reach base_dir below this directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ca.writeServerPem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        Files.writeString(dir.resolve("oauth2.conf"), String.join("\n",
            "introspection_mode = post",
            "introspection_url = " + introspectionUrl,
            "username_attribute = " + usernameAttribute,
            "active_attribute = active",
            "active_value = true",
            ""));
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = reserved.number();
        boolean root = "root".equals(System.getProperty("user.name"));
        String internal = root ? "dovecot" : System.getProperty("user.name");
        String login = root ? "dovenull" : internal;
        Files.writeString(dir.resolve("dovecot.conf"), String.join("\n",
            "base_dir = " + dir.resolve("run"),
            "state_dir = " + dir.resolve("state"),
            "log_path = " + dir.resolve("dovecot.log"),
            "protocols = submission",
            "listen = 127.0.0.1",
            "default_internal_user = " + internal,
            "default_login_user = " + login,
            "first_valid_uid = 1",
            "ssl = yes",
            "ssl_cert = <" + dir.resolve("cert.pem"),
            "ssl_key = <" + dir.resolve("key.pem"),
            "auth_mechanisms = xoauth2 oauthbearer",
            "auth_failure_delay = 0",
            "auth_debug = yes",
            "auth_verbose = yes",
            "passdb {",
            "  driver = oauth2",
            "  mechanisms = xoauth2 oauthbearer",
            "  args = " + dir.resolve("oauth2.conf"),
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=" + internal + " gid=" + internal + " home=" + home + "/%u",
            "}",
            "mail_location = maildir:~/Maildir",
            "submission_relay_host = 127.0.0.1",
            "submission_relay_port = " + relayPort,
            "submission_relay_ssl = no",
            "service submission-login {",
            "  inet_listener submission {",
            "    port = " + port,
            "  }",
            "}",
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            "}",
            ""));
        Process p = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
        DovecotSubmission d = new DovecotSubmission(p, dir, reserved);
        try {
            d.awaitGreeting(Duration.ofSeconds(15));
        } catch (Exception e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void awaitGreeting(Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dovecot exited with " + process.exitValue() + ": " + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                s.setSoTimeout(5000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (line != null && line.startsWith("220 ")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no 220 greeting from dovecot on port " + port + " (" + last + "): " + output());
    }

    public int port() {
        return port;
    }

    /** Dovecot's log (auth debug included) so far. */
    public List<String> log() {
        try {
            Path log = dir.resolve("dovecot.log");
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the client answered to each 334 error challenge, as Dovecot's debug log records it ("" for an empty line). */
    public List<String> errorChallengeAnswers() {
        String marker = "Received AUTH response: ";
        return log().stream().filter(l -> l.contains(marker)).map(l -> l.substring(l.indexOf(marker) + marker.length()).strip())
            .toList();
    }

    /**
     * The replies the login process sent to AUTH commands, in order: error challenges ({@code 334 …}) and final failures
     * ({@code 535 5.7.8 Authentication failed.}, {@code 454 4.7.0 …}); a success shows as a {@code Login:} line instead.
     */
    public List<String> authReplies() {
        java.util.regex.Pattern reply = java.util.regex.Pattern.compile("(?:command AUTH: \\d{3} reply: Sent: |\\]: Sent: (?=334 ))(.*)$");
        return log().stream().map(reply::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1).strip()).toList();
    }

    /** Users Dovecot logged in, with the mechanism ({@code relay@a.example XOAUTH2}). */
    public List<String> logins() {
        java.util.regex.Pattern login = java.util.regex.Pattern.compile("Login: user=<([^>]*)>, method=([A-Z0-9-]+)");
        return log().stream().map(login::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1) + " " + m.group(2))
            .toList();
    }

    private String output() {
        try {
            Path out = dir.resolve("stdout.log");
            return (Files.exists(out) ? Files.readString(out) : "") + String.join("\n", log());
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Stops Dovecot with SIGTERM (it exits in about a second) and removes its directory. */
    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } finally {
            reservation.close();
        }
    }
}
