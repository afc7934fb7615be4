package org.jamespack.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.Eventually;
import org.jamespack.it.samples.SampleTree;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pack in James' own launcher, as an operator runs it: {@code org.apache.james.MemoryJamesServerMain}
 * in a child JVM started with the image's flags and class path (James' jars only, laid out as
 * in {@code apache/james:memory-3.8.1}: {@link DockerLayoutTest#baseImage}), the pack's jars from
 * the release archive in {@code extensions-jars/} only, and the {@code kopano} sample tree
 * unchanged but for ports and the Kopano address ({@link SampleTree}). James' extension class
 * loader is parent-first: the pack runs on James' own libraries.
 *
 * <p>Every protocol (SMTP AUTH, IMAP LOGIN and AUTHENTICATE over IMAPS, POP3 USER/PASS) answers
 * each verdict as the README table says; the password James stores for a user never logs in;
 * every login writes the audit line; malformed SASL is refused without asking Kopano. One James
 * start for the class (a cold start on 2 loaded cores takes tens of seconds); the child JVM is
 * stopped in {@link #stop()} whatever the tests did.
 */
class JamesOwnLauncherTest {

    static final String SAMPLE_KOPANO = "http://localhost:236/kopano";
    static final String STORED = "james-stored-password";

    @TempDir
    static Path dir;

    static KopanoStandIn kopano;
    static SampleTree tree;
    static Process james;
    static Path log;
    static Path root;

    @BeforeAll
    static void start() throws Exception {
        kopano = KopanoStandIn.start();
        kopano.addUser("kim@example.org", "kim-secret").enable("imap", "pop3");
        // right password, but neither the imap nor the pop3 feature: DISABLED on every protocol
        kopano.addUser("dora@example.org", "dora-secret");

        Path context = Distribution.load().unpack(dir.resolve("context"));
        Path image = dir.resolve("image");
        JamesClasspath classpath = JamesClasspath.load();
        DockerLayoutTest.baseImage(image, classpath);
        root = image.resolve("root");
        // the pack's jars in James' extension folder only, as the Dockerfiles put them
        DockerLayoutTest.copyInto(context.resolve("lib"), root.resolve("extensions-jars"), true);
        Path keystore = dir.resolve("keystore");
        SampleTree.createKeystore(keystore);
        tree = new SampleTree(keystore, "kopano", root).backend(SAMPLE_KOPANO, kopano.url().toString()).install();

        log = dir.resolve("james.out");
        ProcessBuilder pb = DockerLayoutTest.jamesImageCommand(root).redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            james = DockerLayoutTest.startOnTreePorts(pb, tree, log, Duration.ofMinutes(3), 25, 993, 110, 8000);
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
        // password-only mode: James' repository says who exists; the password it stores must never count
        addJamesUser("kim@example.org");
        addJamesUser("dora@example.org");
        addJamesUser("stored@example.org");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (log != null && Files.exists(log)) {
                // the audit trail of the run, for a failure's report (audit lines hold no password)
                output().lines().filter(l -> l.contains("login=")).forEach(System.out::println);
            }
            if (james != null) {
                DockerLayoutTest.stop(james);
            }
        } finally {
            if (tree != null) {
                tree.close();
            }
            if (kopano != null) {
                kopano.close();
            }
        }
    }

    @Test
    void jamesShouldRunThePackFromExtensionsJarsOnItsOwnLibraries() throws Exception {
        try (Stream<Path> libs = Files.list(root.resolve("libs"))) {
            List<String> names = libs.map(p -> p.getFileName().toString()).toList();
            assertThat(names).noneMatch(n -> n.startsWith("jamespack-"));
            if (JamesClasspath.load().localJar("com.unboundid:unboundid-ldapsdk").isPresent()) {
                assertThat(names).contains("unboundid-ldapsdk-6.0.7.jar");
            }
        }
        assertThat(output()).contains("authpack: password-only mode").doesNotContain("PackServerMain");
    }

    @Test
    void smtpShouldAnswerEachVerdictThroughThePack() throws Exception {
        assertThat(smtp(fresh(), "kim@example.org", "kim-secret")).isEqualTo("235 Authentication Successful");
        assertThat(smtp(fresh(), "kim@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        assertThat(smtp(fresh(), "dora@example.org", "dora-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        try (SmtpClient smtp = new SmtpClient(tree.port(25), fresh())) {
            smtp.ehlo();
            assertThat(smtp.authLogin("kim@example.org", "kim-secret")).isEqualTo("235 Authentication Successful");
        }
        awaitAudit("login=dora@example.org protocol=smtp", "verdict=DISABLED");
    }

    @Test
    void imapShouldAnswerEachVerdictThroughThePack() throws Exception {
        try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
            assertThat(imap.login("kim@example.org", "kim-secret")).isEqualTo("a1 OK LOGIN completed.");
            assertThat(imap.command("SELECT INBOX")).startsWith("a2 OK");
        }
        try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
            assertThat(imap.authenticatePlain("kim@example.org", "kim-secret")).startsWith("a1 OK AUTHENTICATE");
        }
        try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
            assertThat(imap.login("kim@example.org", "wrong")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("dora@example.org", "dora-secret")).isEqualTo("a2 NO LOGIN failed. Invalid login/password.");
        }
        awaitAudit("login=kim@example.org protocol=imap", "verdict=ACCEPTED");
        awaitAudit("login=dora@example.org protocol=imap", "verdict=DISABLED");
    }

    @Test
    void pop3ShouldAnswerEachVerdictThroughThePack() throws Exception {
        try (Pop3Client pop3 = new Pop3Client(tree.port(110), fresh())) {
            assertThat(pop3.login("kim@example.org", "kim-secret")).startsWith("+OK");
        }
        try (Pop3Client pop3 = new Pop3Client(tree.port(110), fresh())) {
            assertThat(pop3.login("kim@example.org", "wrong")).isEqualTo("-ERR Authentication failed.");
        }
        try (Pop3Client pop3 = new Pop3Client(tree.port(110), fresh())) {
            assertThat(pop3.login("dora@example.org", "dora-secret")).isEqualTo("-ERR Authentication failed.");
        }
        awaitAudit("login=kim@example.org protocol=pop3", "verdict=ACCEPTED");
        awaitAudit("login=dora@example.org protocol=pop3", "verdict=DISABLED");
    }

    @Test
    void thePasswordJamesStoresShouldNeverLogIn() throws Exception {
        for (String user : List.of("kim@example.org", "stored@example.org")) {
            assertThat(smtp(fresh(), user, STORED)).as(user).startsWith("535");
            try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
                assertThat(imap.login(user, STORED)).as(user).startsWith("a1 NO");
                assertThat(imap.authenticatePlain(user, STORED)).as(user).startsWith("a2 NO");
            }
            try (Pop3Client pop3 = new Pop3Client(tree.port(110), fresh())) {
                assertThat(pop3.login(user, STORED)).as(user).startsWith("-ERR");
            }
        }
        awaitAudit("login=stored@example.org protocol=imap", "verdict=REJECTED");
    }

    @Test
    void malformedPlainShouldBeRefusedWithoutAskingKopano() throws Exception {
        int logons = kopano.logons().size();
        byte[] extraNul = "\0kim@example.org\0\0kim-secret\0".getBytes(StandardCharsets.UTF_8);
        byte[] trailing = "\0kim@example.org\0kim-secret\0junk".getBytes(StandardCharsets.UTF_8);
        byte[] otherAuthzid = "mallory@example.org\0kim@example.org\0kim-secret".getBytes(StandardCharsets.UTF_8);
        for (byte[] message : List.of(extraNul, trailing, otherAuthzid)) {
            try (SmtpClient smtp = new SmtpClient(tree.port(25), fresh())) {
                smtp.ehlo();
                assertThat(smtp.authPlainBytes(message)).isEqualTo("501 5.5.2 Malformed authentication data");
            }
            try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
                assertThat(imap.authenticatePlainInitial(message)).startsWith("a1 BAD");
            }
        }
        assertThat(kopano.logons()).hasSize(logons);
        awaitAudit("login=(malformed) protocol=smtp", "reason=MALFORMED_INPUT");
        awaitAudit("login=(malformed) protocol=imap", "reason=MALFORMED_INPUT");
        assertThat(output()).doesNotContain("junk").doesNotContain("mallory");
    }

    @Test
    void aKopanoOutageShouldBeTemporaryOnEveryProtocol() throws Exception {
        // a user the verdict cache has not seen, so that the backend is really asked
        kopano.addUser("una@example.org", "una-secret").enable("imap", "pop3");
        addJamesUser("una@example.org");
        kopano.outage(KopanoStandIn.Outage.HTTP_500);
        try {
            assertThat(smtp(fresh(), "una@example.org", "una-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
            try (ImapClient imap = ImapClient.tls(tree.port(993), fresh())) {
                assertThat(imap.login("una@example.org", "una-secret")).isEqualTo("a1 NO LOGIN processing failed.");
            }
            try (Pop3Client pop3 = new Pop3Client(tree.port(110), fresh())) {
                assertThat(pop3.login("una@example.org", "una-secret")).startsWith("-ERR Unexpected error");
            }
        } finally {
            kopano.outage(KopanoStandIn.Outage.NONE);
        }
        awaitAudit("login=una@example.org protocol=pop3", "verdict=UNAVAILABLE");
        assertThat(smtp(fresh(), "una@example.org", "una-secret")).isEqualTo("235 Authentication Successful");
    }

    /**
     * A source address of its own for each connection (Linux routes all of 127/8 to lo): the
     * throttle refuses an address's next login inside its failure delay, unchecked, and a test
     * of verdicts must see the backend's answer each time.
     */
    private static InetAddress fresh() throws IOException {
        return InetAddress.getByName("127.0.0." + NEXT_ADDRESS.getAndIncrement());
    }

    private static final java.util.concurrent.atomic.AtomicInteger NEXT_ADDRESS = new java.util.concurrent.atomic.AtomicInteger(20);

    private static String smtp(InetAddress from, String login, String password) throws IOException {
        try (SmtpClient smtp = new SmtpClient(tree.port(25), from)) {
            smtp.ehlo();
            return smtp.authPlain(login, password);
        }
    }

    private static void addJamesUser(String user) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tree.port(8000) + "/users/" + user))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"" + STORED + "\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    /** The child's console and James' log file (relative to its home, as the samples now say). */
    private static String output() throws IOException {
        List<String> parts = new ArrayList<>();
        parts.add(Files.readString(log, StandardCharsets.UTF_8));
        Path file = root.resolve("logs/james.log");
        if (Files.exists(file)) {
            parts.add(Files.readString(file, StandardCharsets.UTF_8));
        }
        return String.join("\n", parts);
    }

    private static void awaitAudit(String... fragments) throws Exception {
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(output().lines()
            .filter(l -> l.contains("org.jamespack.auth.audit") || l.contains("auth.audit") || l.contains("a.audit"))
            .filter(l -> Stream.of(fragments).allMatch(l::contains)).findAny()).as(String.join(" ", fragments)).isPresent());
    }
}
