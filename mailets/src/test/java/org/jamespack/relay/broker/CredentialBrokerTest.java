package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.broker.BrokerFixtures.CapturedLog;
import org.jamespack.relay.broker.BrokerFixtures.FixedTokenSource;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker on a UNIX socket in a temporary directory, asked by a client that behaves as
 * exim's readsocket; the peer is this test's own process, so allow-lists name the current user
 * or someone else. {@link CrossUidBrokerTest} runs clients as other uids.
 */
class CredentialBrokerTest {

    static final String ME = System.getProperty("user.name");
    static final String TOKEN = "EwBAA-test.token_with~all+b64/chars==";
    static final String ALICE = "alice@example.org";

    @TempDir
    Path dir;
    Path socket;
    final List<CredentialBroker> started = new ArrayList<>();
    final Map<String, TokenSource> sources = new HashMap<>();
    CapturedLog log;

    @BeforeEach
    void setUp() {
        socket = dir.resolve("broker.sock");
        sources.put(ALICE, FixedTokenSource.serving(ALICE, TOKEN));
        log = new CapturedLog();
    }

    @AfterEach
    void tearDown() {
        started.forEach(CredentialBroker::close);
        log.close();
    }

    CredentialBroker start(String attributes, String accounts) throws IOException {
        ConfigProblems problems = new ConfigProblems();
        String xml = "<broker socket=\"" + socket + "\" " + attributes + ">" + accounts + "</broker>";
        CredentialBroker broker = CredentialBroker.fromConfig(BrokerFixtures.parse(xml, problems), account -> {
            TokenSource s = sources.get(account);
            if (s == null) {
                throw new IllegalArgumentException("no source for " + account);
            }
            return s;
        });
        problems.throwIfAny();
        started.add(broker);
        return broker.start();
    }

    CredentialBroker startAllowing(String allow) throws IOException {
        return start("", "<account name=\"" + ALICE + "\" allow=\"" + allow + "\"/>");
    }

    byte[] exim(String request) throws IOException {
        return EximReadsocketClient.readsocket(socket, request, true, Duration.ofSeconds(5));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void serveShouldAnswerRawXoauth2StringWhenPeerIsAllowed() throws IOException {
        startAllowing(ME);

        byte[] answer = exim("SMTP " + ALICE);

        assertThat(text(answer)).isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
        assertThat(log.all()).contains("served account " + ALICE, "peer " + ME + "(uid=").doesNotContain(TOKEN);
    }

    @Test
    void serveShouldAnswerWhenClientNeitherEndsTheLineNorHalfCloses() throws IOException {
        startAllowing(ME);

        long t0 = System.nanoTime();
        byte[] answer = EximReadsocketClient.readsocket(socket, "SMTP " + ALICE, false, Duration.ofSeconds(5));

        assertThat(text(answer)).isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
        // the quiet pause (200 ms) ends the request, well before exim's own 5 s time-out
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void serveShouldAnswerWhenRequestEndsWithCrLfAndAccountCaseDiffers() throws IOException {
        startAllowing(ME + ",65534");

        byte[] answer = EximReadsocketClient.readsocket(socket, "SMTP Alice@Example.ORG\r\n", false, Duration.ofSeconds(5));

        // user= is the account as configured, whatever case the client used
        assertThat(text(answer)).isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + TOKEN + "\u0001\u0001");
    }

    @Test
    void serveShouldAnswerNothingAndLogWhenPeerIsNotInAllowList() throws IOException {
        startAllowing("65534");

        byte[] answer = exim("SMTP " + ALICE);

        assertThat(answer).isEmpty();
        assertThat(((FixedTokenSource) sources.get(ALICE)).calls).hasValue(0);
        assertThat(log.lines()).anySatisfy(l -> assertThat(l)
            .startsWith("WARN")
            .contains("refused account " + ALICE, "peer " + ME + "(uid=", "not in the account's allow-list"));
        assertThat(log.all()).doesNotContain(TOKEN);
    }

    @Test
    void serveShouldAnswerNothingAndLogWhenAccountIsUnknown() throws IOException {
        startAllowing(ME);

        byte[] answer = exim("SMTP mallory@example.org");

        assertThat(answer).isEmpty();
        assertThat(log.all()).contains("refused account mallory@example.org", "unknown account").doesNotContain(TOKEN);
    }

    @Test
    void serveShouldAnswerErrorLineWhenRefusalIsLine() throws IOException {
        start("refusal=\"line\"", "<account name=\"" + ALICE + "\" allow=\"65534\"/>");

        assertThat(text(exim("SMTP " + ALICE))).isEqualTo("ERROR denied\n");
        // an unknown account reads the same as a refused one: no account listing for local users
        assertThat(text(exim("SMTP mallory@example.org"))).isEqualTo("ERROR denied\n");
        assertThat(text(exim("HELO there"))).isEqualTo("ERROR bad-request\n");
    }

    @Test
    void serveShouldAnswerNothingWhenTokenSourceFails() throws IOException {
        sources.put(ALICE, new FixedTokenSource(ALICE,
            () -> new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, "invalid_grant: AADSTS700082")));
        startAllowing(ME);

        assertThat(exim("SMTP " + ALICE)).isEmpty();
        assertThat(log.all()).contains("refused account " + ALICE, "CREDENTIAL_BROKEN", "AADSTS700082");
    }

    @Test
    void serveShouldAnswerNothingWhenTokenHasExpired() throws IOException {
        sources.put(ALICE, new FixedTokenSource(ALICE,
            () -> new TokenOutcome.Token(Secret.of(TOKEN), Instant.now().minusSeconds(1))));
        startAllowing(ME);

        assertThat(exim("SMTP " + ALICE)).isEmpty();
        assertThat(log.all()).contains("expired").doesNotContain(TOKEN);
    }

    @Test
    void serveShouldAnswerNothingWhenTokenWouldBeMangledByExim() throws IOException {
        String caret = "abc^def";
        sources.put(ALICE, new FixedTokenSource(ALICE,
            () -> new TokenOutcome.Token(Secret.of(caret), Instant.now().plusSeconds(600))));
        startAllowing(ME);

        assertThat(exim("SMTP " + ALICE)).isEmpty();
        assertThat(log.all()).contains("b64token").doesNotContain(caret);
    }

    @Test
    void serveShouldAnswerNothingWhenRequestIsTooLong() throws IOException {
        start("max-request=\"64\"", "<account name=\"" + ALICE + "\" allow=\"" + ME + "\"/>");

        assertThat(exim("SMTP " + "a".repeat(100) + "@example.org")).isEmpty();
        assertThat(log.all()).contains("longer than 64 bytes");
    }

    @Test
    void serveShouldCloseTheConnectionWhenClientSendsNothing() throws IOException {
        start("read-timeout=\"300ms\"", "<account name=\"" + ALICE + "\" allow=\"" + ME + "\"/>");

        long t0 = System.nanoTime();
        byte[] answer = EximReadsocketClient.readsocket(socket, "", false, Duration.ofSeconds(5));

        assertThat(answer).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(log.all()).contains("no complete request within 300 ms");
    }

    @Test
    void serveShouldCloseUnansweredWhenAllWorkersAreBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        sources.put(ALICE, new FixedTokenSource(ALICE, () -> {
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new TokenOutcome.Token(Secret.of(TOKEN), Instant.now().plusSeconds(600));
        }));
        start("threads=\"1\" queue=\"0\" refusal=\"line\"", "<account name=\"" + ALICE + "\" allow=\"" + ME + "\"/>");
        Thread first = new Thread(() -> {
            try {
                exim("SMTP " + ALICE);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        first.start();
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        // the broker closes at once, so the client either reads the line or, when the close beat
        // its write, fails to write: exim's "request write to socket failed", a deferral; never a token
        String second;
        try {
            second = text(exim("SMTP " + ALICE));
        } catch (IOException e) {
            second = "write failed: " + e.getMessage();
        }
        assertThat(second).matches("ERROR busy\n|write failed: .*");

        release.countDown();
        first.join(5000);
        assertThat(log.all()).contains("busy");
        assertThat(((FixedTokenSource) sources.get(ALICE)).calls).hasValue(1);
    }

    @Test
    void startShouldGiveTheSocketItsModeAndGroup() throws IOException {
        String group = ME.equals("root") ? "nogroup" : Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        start("mode=\"0640\" group=\"" + group + "\"", "<account name=\"" + ALICE + "\" allow=\"" + ME + "\"/>");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)))
            .isEqualTo("rw-r-----");
        assertThat(Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .group().getName()).isEqualTo(group);
        assertThat(Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0140640);
        // no temporary socket left behind by the bind-then-rename
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(socket);
        }
    }

    @Test
    void startShouldUseMode0660ByDefault() throws IOException {
        startAllowing(ME);

        assertThat(Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS)).isEqualTo(0140660);
    }

    @Test
    void startShouldReplaceAStaleSocket() throws IOException {
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists(); // the JDK leaves the file of a closed UNIX socket

        startAllowing(ME);

        assertThat(text(exim("SMTP " + ALICE))).startsWith("user=" + ALICE);
        assertThat(log.all()).contains("replacing stale socket");
    }

    @Test
    void startShouldFailWhenAnotherProcessServesThePath() throws IOException {
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));

            assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("running process");
        }
    }

    @Test
    void startShouldFailAndKeepTheFileWhenPathIsNotASocket() throws IOException {
        Files.writeString(socket, "precious");

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(socket).hasContent("precious");
    }

    @Test
    void startShouldFailWhenDirectoryIsWorldWritable() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("world-writable");
        assertThat(socket).doesNotExist();
    }

    @Test
    void startShouldFailWhenDirectoryIsGroupWritable() throws IOException {
        // a member of the group could rename the socket away and put their own in its place
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("group-writable");
        assertThat(socket).doesNotExist();
    }

    @Test
    void startShouldFailWhenDirectoryBelongsToSomeoneElse() throws IOException {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "chown needs root");
        Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class)
            .setOwner(dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("is owned by uid")
            .hasMessageContaining("neither the broker's user");
        assertThat(socket).doesNotExist();
    }

    @Test
    void checkDirectoryShouldRefuseADirectoryOwnedByAnotherUserThanTheBrokers() throws IOException {
        // without root (no chown): the same rule, seen from a broker running as another uid than the directory's owner
        int owner = (Integer) Files.getAttribute(dir, "unix:uid");
        Assumptions.assumeTrue(owner != 0, "a root-owned directory is always acceptable");

        assertThatThrownBy(() -> SocketFiles.checkDirectory(dir, owner + 1)).isInstanceOf(IOException.class)
            .hasMessageContaining("is owned by uid " + owner);
    }

    @Test
    void startShouldFailWhenADirectoryAboveIsGroupWritableWithoutTheStickyBit() throws IOException {
        Path above = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(above, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path own = Files.createDirectory(above.resolve("run"));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-x---"));
        socket = own.resolve("broker.sock");

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining(above.toString())
            .hasMessageContaining("without the sticky bit");
        assertThat(socket).doesNotExist();
    }

    @Test
    void startShouldNotFollowALinkPlantedAtTheSocketPath() throws IOException {
        Path precious = Files.writeString(dir.resolve("precious"), "precious");
        Files.setPosixFilePermissions(precious, PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(socket, precious);

        assertThatThrownBy(() -> startAllowing(ME)).isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(Files.isSymbolicLink(socket)).isTrue();
        assertThat(precious).hasContent("precious");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(precious))).as("mode untouched").isEqualTo("rw-------");
    }

    @Test
    void startShouldLeaveNoPrivateBindDirectoryBehind() throws IOException {
        startAllowing(ME);

        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("broker.sock");
        }
    }

    @Test
    void closeShouldRemoveTheSocketAndRefuseConnections() throws IOException {
        CredentialBroker broker = startAllowing(ME);

        broker.close();

        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> exim("SMTP " + ALICE)).isInstanceOf(IOException.class);
    }

    @Test
    void closeShouldLeaveASuccessorsSocketAlone() throws IOException {
        CredentialBroker first = startAllowing(ME);
        Files.delete(socket); // as an operator would before starting a new broker while the old one hangs
        CredentialBroker second = startAllowing(ME);

        first.close();

        assertThat(socket).exists();
        assertThat(text(exim("SMTP " + ALICE))).startsWith("user=" + ALICE);
        second.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void serveShouldAnswerManyClientsAtOnce() throws Exception {
        startAllowing(ME);
        List<Thread> threads = new ArrayList<>();
        List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            Thread t = new Thread(() -> {
                try {
                    answers.add(text(exim("SMTP " + ALICE)));
                } catch (IOException e) {
                    answers.add("failed: " + e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }

        // 20 clients, 4 workers and 16 waiting places: every one answered
        assertThat(answers).hasSize(20).allSatisfy(a -> assertThat(a).startsWith("user=" + ALICE + "\u0001auth=Bearer "));
    }

    @Test
    void serveShouldRefuseWhenTheClientSendsGarbageBeforeTheRequest() throws IOException {
        startAllowing(ME);

        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap(new byte[] {0, 1, 2, '\n'}));
            ByteBuffer in = ByteBuffer.allocate(64);
            assertThat(c.read(in)).isEqualTo(-1);
        }
        assertThat(log.all()).contains("not an SMTP request");
    }
}
