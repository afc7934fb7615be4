package org.jamespack.auth.ldap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jamespack.foundation.Secret;
import org.jamespack.testing.ReservedPort;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.Assumptions;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;

import net.jcip.annotations.NotThreadSafe;

/**
 * A private OpenLDAP {@code slapd} from Debian for tests: a {@code slapd.conf} written in a
 * temporary directory (back_mdb, ppolicy, pw-sha2, argon2, a small qmail-ldap schema), a seed
 * loaded with {@code slapadd}, {@code slapd -d none} on a free 127.0.0.1 port, ready when a bind
 * succeeds, stopped with SIGTERM.
 *
 * <p>Not thread-safe: one test drives it. Runs as the current user (root is fine: no {@code -u},
 * so nothing to chown). Tests call {@link #assumeInstalled()} first: without slapd they are
 * skipped with the reason printed, unless {@code -Djamespack.slapd.required=true} (CI) turns
 * the skip into a failure.
 */
@NotThreadSafe
public final class SlapdServer implements AutoCloseable {

    public static final String BASE_DN = "dc=example,dc=org";
    public static final String PEOPLE_DN = "ou=people," + BASE_DN;
    public static final String ROOT_DN = "cn=admin," + BASE_DN;
    public static final String ROOT_PASSWORD = "admin-secret";
    public static final String SERVICE_DN = "cn=service," + BASE_DN;
    public static final String SERVICE_PASSWORD = "service-secret";
    public static final String POLICY_DN = "cn=default,ou=policies," + BASE_DN;

    private static final Path SLAPD = Path.of("/usr/sbin/slapd");
    private static final Path SLAPADD = Path.of("/usr/sbin/slapadd");
    private static final Path MODULES = Path.of("/usr/lib/ldap");

    private static final String QMAIL_SCHEMA = String.join("\n",
        "attributetype ( 1.3.6.1.4.1.7914.1.2.1.10 NAME 'accountStatus' EQUALITY caseIgnoreIA5Match",
        "  SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 SINGLE-VALUE )",
        "attributetype ( 1.3.6.1.4.1.7914.1.2.1.11 NAME 'mailHost' EQUALITY caseIgnoreIA5Match",
        "  SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 SINGLE-VALUE )",
        "attributetype ( 1.3.6.1.4.1.7914.1.2.1.12 NAME 'mailAlternateAddress' EQUALITY caseIgnoreIA5Match",
        "  SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
        "objectclass ( 1.3.6.1.4.1.7914.1.2.2.1 NAME 'qmailUser' SUP top AUXILIARY",
        "  MAY ( accountStatus $ mailHost $ mailAlternateAddress ) )",
        "");

    private final Path dir;
    private final Process process;
    private final int port;
    /** Held until {@link #close()}: a test that stops slapd mid-way keeps the port nobody else may take. */
    private final ReservedPort reservation;

    private SlapdServer(Path dir, Process process, ReservedPort reservation) {
        this.dir = dir;
        this.process = process;
        this.reservation = reservation;
        this.port = reservation.number();
    }

    /** Why slapd cannot run here, empty when it can. */
    public static Optional<String> missingReason() {
        if (!Files.isExecutable(SLAPD) || !Files.isExecutable(SLAPADD)) {
            return Optional.of("Debian slapd is not installed (" + SLAPD + ", " + SLAPADD
                + "): apt-get install -y slapd ldap-utils");
        }
        if (!Files.exists(MODULES.resolve("back_mdb.so")) && !Files.exists(MODULES.resolve("back_mdb.la"))) {
            return Optional.of("slapd's back_mdb module is missing from " + MODULES);
        }
        return Optional.empty();
    }

    /** Skips the calling test (printing why) when slapd is missing; fails instead when it is required. */
    public static void assumeInstalled() {
        Optional<String> missing = missingReason();
        if (missing.isPresent()) {
            String why = "slapd tests skipped: " + missing.get();
            System.out.println(why);
            if (Boolean.getBoolean("jamespack.slapd.required")) {
                throw new AssertionError(why + " (and -Djamespack.slapd.required=true)");
            }
            Assumptions.abort(why);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    public Path directory() {
        return dir;
    }

    /** What slapd wrote so far (operations only with {@link Builder#statsLog()}). */
    public String log() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("slapd-\\d+\\.log")).sorted().toList()) {
                all.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    /** Settings that reach this server with the service account; tests add the rest. */
    public LdapSettings.Builder settings() {
        return LdapSettings.builder().url(url()).baseDn(BASE_DN).bind(SERVICE_DN, Secret.of(SERVICE_PASSWORD))
            .connectTimeout(Duration.ofSeconds(2)).responseTimeout(Duration.ofSeconds(2));
    }

    /** A connection bound as the root DN, for tests that inspect or change entries. */
    public LDAPConnection rootConnection() throws LDAPException {
        LDAPConnection c = new LDAPConnection("127.0.0.1", port);
        c.bind(ROOT_DN, ROOT_PASSWORD);
        return c;
    }

    /** Stops slapd with SIGTERM and deletes its directory; closing again does nothing. */
    @Override
    public void close() {
        stop();
        reservation.close();
    }

    /** Stops slapd with SIGTERM (a test may stop it mid-way) and deletes its directory. */
    public void stop() {
        if (!Files.exists(dir) && !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    /** Whether the slapd process still runs. */
    public boolean isRunning() {
        return process.isAlive();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing a test for
        }
    }

    /**
     * What the server holds and how it is configured. Not thread-safe.
     */
    @NotThreadSafe
    public static final class Builder {
        private final StringBuilder users = new StringBuilder();
        private int maxFailure;
        private Path tlsCert;
        private Path tlsKey;
        private Path tlsCa;
        private String passwordHash;
        private String cryptSaltFormat;
        private String debugLevel = "none";
        private boolean monitor;
        private final List<String> indexed = new ArrayList<>();

        private Builder() {
        }

        /** slapd logs every operation ({@code -d stats}) to its log, read back with {@link SlapdServer#log()}. */
        public Builder statsLog() {
            debugLevel = "stats";
            return this;
        }

        /**
         * How slapd itself hashes passwords set by the Password Modify operation, e.g.
         * {@code {CRYPT}} with {@code $6$%.16s}: to test hashes exactly as slapd stores them.
         */
        public Builder passwordHash(String scheme, String saltFormat) {
            passwordHash = scheme;
            cryptSaltFormat = saltFormat;
            return this;
        }

        /** A user {@code uid=<uid>,ou=people} with {@code userPassword} stored exactly as given. */
        public Builder user(String uid, String mail, String storedPassword) {
            return user(uid, mail, storedPassword, null);
        }

        public Builder user(String uid, String mail, String storedPassword, String accountStatus) {
            return user(uid, mail, storedPassword, accountStatus, null);
        }

        /**
         * A user whose entry also has qmail-ldap's {@code accountStatus} and {@code mailHost} when
         * they are not null (the host that holds the mailbox, in a qmail-ldap cluster).
         */
        public Builder user(String uid, String mail, String storedPassword, String accountStatus, String mailHost) {
            users.append("dn: uid=").append(uid).append(',').append(PEOPLE_DN).append('\n')
                .append("objectClass: inetOrgPerson\nobjectClass: qmailUser\n")
                .append("uid: ").append(uid).append("\ncn: ").append(uid).append("\nsn: ").append(uid).append('\n')
                .append("mail: ").append(mail).append('\n')
                .append("userPassword:: ")
                .append(Base64.getEncoder().encodeToString(storedPassword.getBytes(StandardCharsets.UTF_8))).append('\n');
            if (accountStatus != null) {
                users.append("accountStatus: ").append(accountStatus).append('\n');
            }
            if (mailHost != null) {
                users.append("mailHost: ").append(mailHost).append('\n');
            }
            users.append('\n');
            return this;
        }

        /**
         * Equality indexes on {@code attributes}, as a production directory keeps for its login
         * attributes: without them every user search scans every entry.
         */
        public Builder equalityIndex(String... attributes) {
            indexed.addAll(List.of(attributes));
            return this;
        }

        /**
         * Adds the monitor database ({@code cn=Monitor}, readable by the root DN only): operation
         * counts by type and connections, e.g. for a benchmark to count what each side asked.
         */
        public Builder monitor() {
            monitor = true;
            return this;
        }

        /** Turns on ppolicy lockout: {@code pwdMaxFailure} wrong binds lock the account. */
        public Builder ppolicyLockout(int pwdMaxFailure) {
            maxFailure = pwdMaxFailure;
            return this;
        }

        /** PEM files for StartTLS (the certificate should name IP 127.0.0.1). */
        public Builder tls(Path certificate, Path key, Path ca) {
            tlsCert = certificate;
            tlsKey = key;
            tlsCa = ca;
            return this;
        }

        public SlapdServer start() throws IOException, InterruptedException {
            assumeInstalled();
            Path dir = Files.createTempDirectory("slapd-");
            Files.createDirectories(dir.resolve("db"));
            Files.writeString(dir.resolve("qmail.schema"), QMAIL_SCHEMA);
            Path conf = dir.resolve("slapd.conf");
            Files.writeString(conf, conf(dir));
            Path seed = dir.resolve("seed.ldif");
            Files.writeString(seed, seed());
            run(dir, List.of(SLAPADD.toString(), "-q", "-f", conf.toString(), "-l", seed.toString()));
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                ReservedPort reserved = TestPorts.reserve();
                int port = reserved.number();
                Path log = dir.resolve("slapd-" + attempt + ".log");
                Process process = new ProcessBuilder(SLAPD.toString(), "-d", debugLevel, "-h", "ldap://127.0.0.1:" + port + "/",
                    "-f", conf.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                try {
                    awaitReady(process, port, log);
                    return new SlapdServer(dir, process, reserved);
                } catch (IOException e) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    reserved.close();
                    // slapd -d none says errno=98 when the port is in use: a foreign program bound the reserved
                    // port after its check, so another port is worth a try; any other failure is the test's to see
                    if (!Files.readString(log).contains("errno=98")) {
                        deleteTree(dir);
                        throw e;
                    }
                    last = e;
                }
            }
            deleteTree(dir);
            throw last;
        }

        private String conf(Path dir) {
            List<String> lines = new ArrayList<>(List.of(
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                "include " + dir.resolve("qmail.schema"),
                "modulepath " + MODULES,
                "moduleload back_mdb",
                "moduleload ppolicy",
                "moduleload pw-sha2",
                "moduleload argon2",
                "pidfile " + dir.resolve("slapd.pid"),
                "argsfile " + dir.resolve("slapd.args")));
            if (passwordHash != null) {
                lines.add("password-hash " + passwordHash);
                if (cryptSaltFormat != null) {
                    lines.add("password-crypt-salt-format \"" + cryptSaltFormat + "\"");
                }
            }
            if (tlsCert != null) {
                lines.add("TLSCACertificateFile " + tlsCa);
                lines.add("TLSCertificateFile " + tlsCert);
                lines.add("TLSCertificateKeyFile " + tlsKey);
            }
            lines.addAll(List.of(
                "database mdb",
                "maxsize 16777216",
                "suffix \"" + BASE_DN + "\"",
                "rootdn \"" + ROOT_DN + "\"",
                "rootpw " + ROOT_PASSWORD,
                "directory " + dir.resolve("db"),
                indexed.isEmpty() ? "" : "index " + String.join(",", indexed) + " eq",
                "access to attrs=userPassword",
                "  by dn.exact=\"" + SERVICE_DN + "\" read",
                "  by anonymous auth",
                "  by self write",
                "  by * none",
                "access to *",
                "  by * read"));
            if (maxFailure > 0) {
                lines.add("overlay ppolicy");
                lines.add("ppolicy_default \"" + POLICY_DN + "\"");
                lines.add("ppolicy_use_lockout");
            }
            if (monitor) {
                lines.addAll(List.of(
                    "database monitor",
                    "access to *",
                    "  by dn.exact=\"" + ROOT_DN + "\" read",
                    "  by * none"));
            }
            return String.join("\n", lines) + "\n";
        }

        private String seed() {
            StringBuilder ldif = new StringBuilder();
            ldif.append("dn: ").append(BASE_DN).append("\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n");
            ldif.append("dn: ").append(PEOPLE_DN).append("\nobjectClass: organizationalUnit\nou: people\n\n");
            ldif.append("dn: ").append(SERVICE_DN).append("\nobjectClass: person\ncn: service\nsn: service\nuserPassword: ")
                .append(SERVICE_PASSWORD).append("\n\n");
            if (maxFailure > 0) {
                ldif.append("dn: ou=policies,").append(BASE_DN).append("\nobjectClass: organizationalUnit\nou: policies\n\n");
                ldif.append("dn: ").append(POLICY_DN).append("\nobjectClass: person\nobjectClass: pwdPolicy\ncn: default\nsn: default\n")
                    .append("pwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: ").append(maxFailure)
                    .append("\npwdLockoutDuration: 300\npwdFailureCountInterval: 0\n\n");
            }
            ldif.append(users);
            return ldif.toString();
        }

        private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
            Path log = dir.resolve("slapadd.log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " failed: " + Files.readString(log));
            }
        }

        private static void awaitReady(Process process, int port, Path log) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            LDAPException last = null;
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("slapd exited with " + process.exitValue() + ": " + Files.readString(log));
                }
                // "slapd starting" is logged before listen(): only a bind proves it is ready
                try (LDAPConnection c = new LDAPConnection("127.0.0.1", port)) {
                    c.bind(ROOT_DN, ROOT_PASSWORD);
                    return;
                } catch (LDAPException e) {
                    last = e;
                    Thread.sleep(20);
                }
            }
            throw new IOException("slapd did not answer on port " + port + " within 10 s: " + last + " " + Files.readString(log));
        }

    }
}
