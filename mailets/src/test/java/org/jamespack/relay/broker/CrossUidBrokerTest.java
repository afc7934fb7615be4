package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.broker.BrokerFixtures.CapturedLog;
import org.jamespack.relay.broker.BrokerFixtures.FixedTokenSource;
import org.jamespack.relay.token.TokenSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer-credential check with real other users: {@link EximReadsocketClient} runs in its own
 * JVM as {@code nobody} (uid 65534) or {@code daemon} (uid 1) through util-linux
 * {@code setpriv}, against a broker whose socket is {@code 0660 root:nogroup} in a
 * {@code 0750 root:nogroup} directory, as seed 002 sets up exim's access. Needs root (to change
 * uid and the socket's group); skipped with the reason printed otherwise.
 */
class CrossUidBrokerTest {

    static final String ALICE = "alice@example.org";
    static final String BOB = "bob@example.org";
    static final String ALICE_TOKEN = "ya29.alice-token_for~nobody";
    static final String BOB_TOKEN = "EwB.bob-token_for~daemon";

    @TempDir
    static Path base;
    static Path socket;
    static Path clientClasses;
    static CredentialBroker broker;
    static CapturedLog log;

    @BeforeAll
    static void startBroker() throws IOException, URISyntaxException {
        String why = whyNot();
        if (why != null) {
            System.out.println("CrossUidBrokerTest skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);

        // the clients must traverse to the socket and read their class files; nothing world-writable
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path run = Files.createDirectory(base.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-x---"));
        Files.getFileAttributeView(run, PosixFileAttributeView.class)
            .setGroup(run.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup"));
        socket = run.resolve("broker.sock");
        clientClasses = copyClientClasses(base.resolve("client"));

        ConfigProblems problems = new ConfigProblems();
        String xml = "<broker socket=\"" + socket + "\" group=\"nogroup\">"
            + "<account name=\"" + ALICE + "\" allow=\"nobody\"/>"
            + "<account name=\"" + BOB + "\"><allow>1</allow></account>"
            + "</broker>";
        TokenSource alice = FixedTokenSource.serving(ALICE, ALICE_TOKEN);
        TokenSource bob = FixedTokenSource.serving(BOB, BOB_TOKEN);
        broker = CredentialBroker.fromConfig(BrokerFixtures.parse(xml, problems), a -> a.equals(ALICE) ? alice : bob);
        problems.throwIfAny();
        log = new CapturedLog();
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
        if (log != null) {
            log.close();
        }
    }

    /** Why this machine cannot run other uids, or null when it can. */
    static String whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root, so clients cannot be started as other uids";
        }
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return "util-linux setpriv is not installed";
        }
        try {
            var lookup = Path.of("/").getFileSystem().getUserPrincipalLookupService();
            lookup.lookupPrincipalByName("nobody");
            lookup.lookupPrincipalByName("daemon");
            lookup.lookupPrincipalByGroupName("nogroup");
        } catch (IOException e) {
            return "users nobody/daemon or group nogroup missing: " + e.getMessage();
        }
        return null;
    }

    @Test
    void socketShouldBeGroupReadableWritableOnly() throws IOException {
        PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
        assertThat(a.group().getName()).isEqualTo("nogroup");
        assertThat(a.owner().getName()).isEqualTo("root");
    }

    @Test
    void tokenShouldBeServedToAllowedUid() throws Exception {
        Result r = runAs(65534, 65534, "SMTP " + ALICE);

        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + ALICE_TOKEN + "\u0001\u0001");
        assertThat(log.all()).contains("served account " + ALICE + " to peer nobody(uid=65534,group=nogroup)");
    }

    @Test
    void tokenShouldBeServedToUidNamedByNumber() throws Exception {
        Result r = runAs(1, 65534, "SMTP " + BOB);

        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).isEqualTo("user=" + BOB + "\u0001auth=Bearer " + BOB_TOKEN + "\u0001\u0001");
    }

    @Test
    void tokenShouldBeRefusedToAnotherUidInTheSocketGroup() throws Exception {
        // daemon passes the file mode (its group is the socket's) but is not on alice's list
        Result r = runAs(1, 65534, "SMTP " + ALICE);

        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).isEmpty();
        assertThat(log.lines()).anySatisfy(l -> assertThat(l).startsWith("WARN")
            .contains("refused account " + ALICE + " to peer daemon(uid=1,group=nogroup)", "allow-list"));
        assertThat(log.all()).doesNotContain(ALICE_TOKEN).doesNotContain(BOB_TOKEN);
    }

    @Test
    void connectShouldFailForUidOutsideTheSocketGroup() throws Exception {
        // the file-mode layer (seed 002's only one): exim's readsocket fails, the delivery is deferred
        Result r = runAs(1, 1, "SMTP " + BOB);

        assertThat(r.exit).isEqualTo(EximReadsocketClient.CONNECT_FAILED);
        assertThat(r.stderr).contains("Permission denied");
        assertThat(r.stdout).isEmpty();
    }

    record Result(int exit, String stdout, String stderr) {
    }

    static Result runAs(int uid, int gid, String request) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid,
            "--clear-groups", "--", java, "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-cp", clientClasses.toString(), EximReadsocketClient.class.getName(), socket.toString(), request));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("HOME", "/nonexistent");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1), new String(err, StandardCharsets.UTF_8));
    }

    /** The client's class files (itself and its exception), world-readable, outside the build tree. */
    static Path copyClientClasses(Path root) throws IOException, URISyntaxException {
        Path compiled = Path.of(EximReadsocketClient.class.getResource("EximReadsocketClient.class").toURI()).getParent();
        String pkg = EximReadsocketClient.class.getPackageName().replace('.', '/');
        Path target = Files.createDirectories(root.resolve(pkg));
        try (Stream<Path> files = Files.list(compiled)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith("EximReadsocketClient")) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        }
        for (Path p = target; p.startsWith(root); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (p.equals(root)) {
                break;
            }
        }
        try (Stream<Path> files = Files.list(target)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        return root;
    }
}
