package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.jamespack.testing.LogCapture;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

import ch.qos.logback.classic.Level;

/**
 * Caching, refresh window, single-flight, rotation and failure handling against a loopback token
 * endpoint (see {@link TokenEndpointStandIn} for why not mock-oauth2-server here).
 */
class RefreshingTokenSourceTest {

    private static final String ACCOUNT = "alice@example.org";

    private final MutableClock clock = new MutableClock();
    private TokenEndpointStandIn endpoint;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        endpoint = new TokenEndpointStandIn();
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private RefreshingTokenSource memorySource(Duration window) {
        RefreshTokenGrantCall grant = new RefreshTokenGrantCall(EndpointSettings.of(endpoint.uri()), "client-1",
            Optional.of(Secret.of("client-secret-S3")), Optional.empty(), clock);
        return RefreshingTokenSource.inMemory(ACCOUNT, "test", grant, Optional.of(Secret.of("refresh-R1")), window, clock);
    }

    private Path tokenFile(String refresh) throws Exception {
        Path file = dir.resolve(ACCOUNT);
        Files.writeString(file, "{\n"
            + "  \"access_token\" : \"\",\n"
            + "  \"client_id\" : \"client-1\",\n"
            + "  \"client_secret\" : \"client-secret-S3\",\n"
            + "  \"token_endpoint\" : \"" + endpoint.uri() + "\",\n"
            + "  \"expiry\" : \"0\",\n"
            + "  \"refresh_token\" : \"" + refresh + "\",\n"
            + "  \"x_kept\" : \"by operator\"\n"
            + "}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        return file;
    }

    private RefreshingTokenSource fileSource(Path file) {
        PathDefaults d = new PathDefaults(SaslXoauth2Config.empty(), RefreshingTokenSource.DEFAULT_WINDOW,
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofMinutes(5), clock);
        return TokenFileBinding.plain(d).open(ACCOUNT, "token file " + file, file);
    }

    private static String token(TokenOutcome o) {
        assertThat(o).isInstanceOf(TokenOutcome.Token.class);
        return ((TokenOutcome.Token) o).accessToken().reveal();
    }

    @Test
    void tokenShouldCallTheEndpointOnceWhenTheCachedTokenIsFresh() {
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));

        assertThat(token(source.token(false))).isEqualTo("access-1");
        assertThat(token(source.token(false))).isEqualTo("access-1");

        assertThat(endpoint.calls()).isEqualTo(1);
        assertThat(endpoint.requests().get(0)).containsEntry("grant_type", "refresh_token")
            .containsEntry("refresh_token", "refresh-R1").containsEntry("client_id", "client-1")
            .containsEntry("client_secret", "client-secret-S3");
    }

    @Test
    void tokenShouldRefreshWhenNowPlusWindowReachesExpiry() {
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        source.token(false);

        clock.advance(Duration.ofMinutes(49));
        assertThat(token(source.token(false))).isEqualTo("access-1");
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        assertThat(token(source.token(false))).isEqualTo("access-2");

        assertThat(endpoint.calls()).isEqualTo(2);
    }

    @Test
    void tokenShouldRefreshOnceWhenForced() {
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        source.token(false);

        assertThat(token(source.token(true))).isEqualTo("access-2");
        assertThat(token(source.token(false))).isEqualTo("access-2");

        assertThat(endpoint.calls()).isEqualTo(2);
    }

    @Test
    void tokenShouldUseARotatedRefreshTokenNextTimeWhenTheEndpointRotatesIt() {
        endpoint.replies(n -> Reply.token("access-" + n, 3600, n == 1 ? "refresh-R2" : null));
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));

        source.token(false);
        source.token(true);
        source.token(true);

        assertThat(endpoint.requests()).extracting(r -> r.get("refresh_token"))
            .containsExactly("refresh-R1", "refresh-R2", "refresh-R2");
    }

    @Test
    void tokenShouldNotFollowALinkPlantedAsTheLockFile() throws Exception {
        // The lock file is created on first use: a link planted in its place would otherwise have a file created (as
        // James' user) wherever it points, or an existing file there opened for writing.
        endpoint.replies(n -> Reply.token("access-" + n, 3600, null));
        Path file = tokenFile("refresh-R1");
        Path pointedAt = dir.resolveSibling(dir.getFileName() + "-not-to-be-created");
        Files.createSymbolicLink(dir.resolve(ACCOUNT + ".lock"), pointedAt);
        try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
            RefreshingTokenSource source = fileSource(file);

            assertThat(token(source.token(false))).as("the refresh still happens, unlocked").isEqualTo("access-1");

            assertThat(pointedAt).doesNotExist();
            assertThat(Files.isSymbolicLink(dir.resolve(ACCOUNT + ".lock"))).isTrue();
            assertThat(logs.all()).contains("cannot lock");
        }
    }

    @Test
    void tokenShouldPersistARotatedRefreshTokenAtomicallyWithOwnerOnlyModeWhenFileBacked() throws Exception {
        endpoint.replies(n -> Reply.token("access-" + n, 3600, n == 1 ? "refresh-R2" : null));
        Path file = tokenFile("refresh-R1");
        // as 'token init' leaves it; a rewrite keeps a file's mode (less access for others)
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        RefreshingTokenSource source = fileSource(file);

        assertThat(token(source.token(false))).isEqualTo("access-1");

        TokenFile written = TokenFile.read(file);
        assertThat(written.refreshToken().reveal()).isEqualTo("refresh-R2");
        assertThat(written.accessToken()).map(Secret::reveal).contains("access-1");
        assertThat(written.expiry()).isEqualTo(Instant.ofEpochSecond(clock.instant().plusSeconds(3600).getEpochSecond()));
        assertThat(JSONObjectUtils.parse(Files.readString(file))).containsEntry("x_kept", "by operator");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                .as("no temp file left").containsExactlyInAnyOrder(ACCOUNT, ACCOUNT + ".lock");
        }

        // No rotation on the second refresh: the rotated refresh token stays in the file.
        assertThat(token(source.token(true))).isEqualTo("access-2");
        assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("refresh-R2");
        assertThat(endpoint.requests().get(1)).containsEntry("refresh_token", "refresh-R2");
    }

    @Test
    void tokenShouldUseTheFileTokenWithoutCallingWhenItIsStillFresh() throws Exception {
        Path file = tokenFile("refresh-R1");
        TokenFile.read(file).withTokens(Secret.of("from-file"), clock.instant().plus(Duration.ofHours(1)), Optional.empty())
            .writeAtomically(file);

        assertThat(token(fileSource(file).token(false))).isEqualTo("from-file");
        assertThat(endpoint.calls()).isZero();
    }

    @Test
    void tokenShouldCallTheEndpointOnceWhenFiftyThreadsAskAtOnce() throws Exception {
        endpoint.delay(300);
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        List<String> tokens = inParallel(50, () -> token(source.token(false)));

        assertThat(endpoint.calls()).isEqualTo(1);
        assertThat(tokens).hasSize(50).containsOnly("access-1");
    }

    @Test
    void tokenShouldCallTheEndpointOnceWhenFiftyThreadsForceARefreshOfTheSameToken() throws Exception {
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        source.token(false);
        endpoint.delay(300);

        List<String> tokens = inParallel(50, () -> token(source.token(true)));

        assertThat(endpoint.calls()).isEqualTo(2);
        assertThat(tokens).containsOnly("access-2");
    }

    @Test
    void tokenShouldRefreshOnceWhenTwoSourcesShareOneTokenFile() throws Exception {
        endpoint.delay(300);
        endpoint.replies(n -> Reply.token("access-" + n, 3600, "refresh-R" + (n + 1)));
        Path file = tokenFile("refresh-R1");
        RefreshingTokenSource first = fileSource(file);
        RefreshingTokenSource second = fileSource(file);

        List<String> tokens = inParallel(20, new java.util.function.Supplier<>() {
            private final java.util.concurrent.atomic.AtomicInteger i = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public String get() {
                return token((i.incrementAndGet() % 2 == 0 ? first : second).token(false));
            }
        });

        assertThat(endpoint.calls()).isEqualTo(1);
        assertThat(tokens).containsOnly("access-1");
        assertThat(TokenFile.read(file).refreshToken().reveal()).isEqualTo("refresh-R2");
    }

    @Test
    void tokenShouldAdoptWhatAnotherProcessWroteWhenTheFileChanged() throws Exception {
        Path file = tokenFile("refresh-R1");
        RefreshingTokenSource source = fileSource(file);
        source.token(false);
        // Another process refreshed and wrote the file; our cached token is now the stale one.
        TokenFile.read(file).withTokens(Secret.of("other-process"), clock.instant().plus(Duration.ofHours(1)),
            Optional.of(Secret.of("refresh-R9"))).writeAtomically(file);

        assertThat(token(source.token(true))).isEqualTo("other-process");
        assertThat(endpoint.calls()).isEqualTo(1);
    }

    @Test
    void tokenShouldStopCallingWhenInvalidGrantUntilTheTokenFileChanges() throws Exception {
        endpoint.replies(n -> n == 1 ? Reply.error(400, "invalid_grant") : Reply.token("access-" + n, 3600, null));
        Path file = tokenFile("refresh-R1");
        RefreshingTokenSource source = fileSource(file);

        TokenOutcome first = source.token(false);
        TokenOutcome again = source.token(true);
        source.token(false);

        assertThat(first).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("invalid_grant");
        });
        assertThat(again).isEqualTo(first);
        assertThat(endpoint.calls()).isEqualTo(1);
        assertThat(source.status().broken()).isTrue();
        assertThat(source.status().lastFailureKind()).contains(TokenOutcome.Kind.CREDENTIAL_BROKEN);

        // The operator puts a new refresh token in the file.
        tokenFile("refresh-NEW");
        assertThat(token(source.token(false))).isEqualTo("access-2");
        assertThat(endpoint.requests().get(1)).containsEntry("refresh_token", "refresh-NEW");
        assertThat(source.status().broken()).isFalse();
    }

    @Test
    void tokenShouldBeCredentialBrokenWithoutACallWhenTheTokenFileNamesAPlainHttpEndpoint() throws Exception {
        Path file = dir.resolve("plain@example.org");
        Files.writeString(file, "{\"client_id\":\"c\",\"token_endpoint\":\"http://login.example/token\","
            + "\"expiry\":\"0\",\"refresh_token\":\"refresh-R1\"}");

        TokenOutcome outcome = fileSource(file).token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("https").doesNotContain("refresh-R1");
        });
    }

    @Test
    void resetShouldLetABrokenSourceCallAgainWhenTheOperatorActs() {
        endpoint.replies(n -> n <= 1 ? Reply.error(401, "invalid_client") : Reply.token("access-" + n, 3600, null));
        TokenGrant grant = ClientCredentialsGrantCall.withSecret(EndpointSettings.of(endpoint.uri()), "app",
            Secret.of("client-secret-S3"), Optional.empty(), clock);
        RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "cc", grant, Optional.empty(),
            Duration.ofMinutes(10), clock);

        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN));
        assertThat(source.token(false)).isInstanceOf(TokenOutcome.Failure.class);
        assertThat(endpoint.calls()).isEqualTo(1);

        source.reset();

        assertThat(token(source.token(false))).isEqualTo("access-2");
        assertThat(endpoint.calls()).isEqualTo(2);
    }

    @Test
    void tokenShouldBeTransientWhenTheEndpointAnswers5xx429OrTemporarilyUnavailable() {
        for (Reply reply : List.of(Reply.error(503, "server_error"), Reply.error(429, "slow_down"),
            Reply.error(400, "temporarily_unavailable"), Reply.error(500, "invalid_grant"),
            new Reply(502, "<html>Bad gateway</html>"))) {
            endpoint.replies(n -> reply);
            RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));

            assertThat(source.token(false)).as(reply.toString()).isInstanceOfSatisfying(TokenOutcome.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
            // Transient failures are not sticky: the next call asks again.
            source.token(false);
        }
        assertThat(endpoint.calls()).isEqualTo(10);
    }

    @Test
    void tokenShouldBeTransientWhenTheEndpointIsDown() throws Exception {
        int port = TestPorts.closedPort();
        RefreshTokenGrantCall grant = new RefreshTokenGrantCall(
            EndpointSettings.of(URI.create("http://127.0.0.1:" + port + "/token")), "client-1", Optional.empty(),
            Optional.empty(), clock);
        RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "down", grant,
            Optional.of(Secret.of("refresh-R1")), Duration.ofMinutes(10), clock);

        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(f.detail()).contains("cannot reach");
        });
        assertThat(source.status().broken()).isFalse();
    }

    @Test
    void tokenShouldBeTransientWithinTheReadTimeoutWhenTheEndpointHangs() {
        endpoint.delay(3000);
        EndpointSettings settings = new EndpointSettings(endpoint.uri(), Duration.ofSeconds(1), Duration.ofMillis(300),
            Optional.empty(), Optional.empty());
        RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "slow",
            new RefreshTokenGrantCall(settings, "client-1", Optional.empty(), Optional.empty(), clock),
            Optional.of(Secret.of("refresh-R1")), Duration.ofMinutes(10), clock);

        long start = System.nanoTime();
        TokenOutcome outcome = source.token(false);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
    }

    @Test
    void tokenShouldKeepServingTheUnexpiredTokenWhenARefreshInsideTheWindowFailsTransiently() {
        endpoint.replies(n -> n == 1 ? Reply.token("access-1", 3600, null) : Reply.error(503, "server_error"));
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        source.token(false);
        clock.advance(Duration.ofMinutes(55));

        assertThat(token(source.token(false))).isEqualTo("access-1");
        assertThat(source.token(true)).as("a forced refresh means the token was refused: no stale answer")
            .isInstanceOf(TokenOutcome.Failure.class);
        assertThat(endpoint.calls()).isEqualTo(3);
    }

    @Test
    void refreshIfIdleShouldRefreshOnlyWhenTheLastRefreshIsOlderThanMaxIdle() {
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        source.token(false);

        assertThat(source.refreshIfIdle(Duration.ofDays(7))).isFalse();
        clock.advance(Duration.ofDays(8));
        assertThat(source.refreshIfIdle(Duration.ofDays(7))).isTrue();

        assertThat(endpoint.calls()).isEqualTo(2);
        assertThat(source.status().lastRefresh()).contains(clock.instant());
    }

    @Test
    void refreshIfIdleShouldDoNothingWhenTheGrantHasNoRefreshToken() {
        TokenGrant grant = ClientCredentialsGrantCall.withSecret(EndpointSettings.of(endpoint.uri()), "app",
            Secret.of("client-secret-S3"), Optional.empty(), clock);
        RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "cc", grant, Optional.empty(),
            Duration.ofMinutes(10), clock);

        assertThat(source.refreshIfIdle(Duration.ZERO)).isFalse();
        assertThat(endpoint.calls()).isZero();
    }

    @Test
    void statusShouldReportExpiryRefreshCallsAndRefreshTokenAgeWithoutSecrets() {
        endpoint.replies(n -> Reply.token("access-" + n, 3600, "refresh-R" + (n + 1)));
        RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));
        Instant refreshedAt = clock.instant();
        source.token(false);
        clock.advance(Duration.ofMinutes(5));

        TokenStatus status = source.status();

        assertThat(status.account()).isEqualTo(ACCOUNT);
        assertThat(status.expiry()).contains(refreshedAt.plusSeconds(3600));
        assertThat(status.lastRefresh()).contains(refreshedAt);
        assertThat(status.endpointCalls()).isEqualTo(1);
        assertThat(status.refreshTokenAge()).contains(Duration.ofMinutes(5));
        assertThat(status.lastFailureKind()).isEmpty();
        assertThat(status.toString()).doesNotContain("refresh-R", "access-1", "client-secret");
    }

    @Test
    void nothingShouldPrintATokenOrSecretWhenRefreshingSucceedingAndFailing() throws Exception {
        try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
            endpoint.replies(n -> switch (n) {
                case 1 -> Reply.token("access-TOPSECRET-1", 3600, "refresh-TOPSECRET-2");
                case 2 -> Reply.error(503, "server_error");
                default -> Reply.error(400, "invalid_grant");
            });
            Path file = tokenFile("refresh-TOPSECRET-1");
            RefreshingTokenSource source = fileSource(file);
            List<Object> printed = new ArrayList<>();
            printed.add(source.token(false));
            printed.add(source.token(true));
            printed.add(source.token(true));
            printed.add(source.status());
            printed.add(source);
            printed.add(TokenFile.read(file));

            String all = logs.all() + "\n" + printed;
            assertThat(all).contains("invalid_grant").contains(ACCOUNT)
                .doesNotContain("TOPSECRET").doesNotContain("client-secret-S3");
        }
    }

    @Test
    void tokenShouldNotRepeatTheSentCredentialsWhenTheEndpointEchoesThemInItsErrorDescription() {
        // Some endpoints quote the refresh token or client secret they refuse; the detail goes to logs and WebAdmin.
        endpoint.replies(n -> new Reply(400, "{\"error\":\"invalid_grant\",\"error_description\":"
            + "\"refresh token refresh-R1 of client-1 (secret client-secret-S3) is revoked\"}"));
        try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
            RefreshingTokenSource source = memorySource(Duration.ofMinutes(10));

            TokenOutcome outcome = source.token(false);

            assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class, f -> {
                assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN);
                assertThat(f.detail()).contains("invalid_grant", "is revoked", "client-1");
            });
            String all = logs.all() + "\n" + outcome + "\n" + source.status();
            assertThat(all).doesNotContain("refresh-R1").doesNotContain("client-secret-S3");
        }
    }

    @Test
    void tokenShouldNotKeepAnyPartOfAnEchoedSecretThatStraddlesTheDescriptionCut() {
        // error_description is cut at 300 characters; a secret echoed across the cut must be redacted before the cut,
        // or its head (which no longer matches the whole secret) survives into logs, WebAdmin and the health report
        String refresh = "M.R3_HEADofTheRefreshToken-0123456789-TAILofTheRefreshToken";
        for (int offset : new int[] {260, 280, 290, 299, 300}) {
            String padding = "p".repeat(offset);
            endpoint.replies(n -> new Reply(400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + padding + refresh
                + " is revoked\"}"));
            try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
                RefreshTokenGrantCall grant = new RefreshTokenGrantCall(EndpointSettings.of(endpoint.uri()), "client-1",
                    Optional.of(Secret.of("client-secret-S3")), Optional.empty(), clock);
                RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "test", grant,
                    Optional.of(Secret.of(refresh)), Duration.ofMinutes(10), clock);

                TokenOutcome outcome = source.token(false);

                assertThat(outcome).as("offset " + offset).isInstanceOfSatisfying(TokenOutcome.Failure.class,
                    f -> {
                        assertThat(f.detail()).contains("invalid_grant");
                        if (offset + "[redacted]".length() <= 300) {
                            assertThat(f.detail()).as("the marker stands where the secret was").contains(padding + "[redacted]");
                        }
                    });
                String all = logs.all() + "\n" + outcome + "\n" + source.status();
                assertThat(all).as("offset " + offset).doesNotContain("M.R3_").doesNotContain("HEADofThe")
                    .doesNotContain("TAILofThe").doesNotContain("0123456789");
            }
        }
    }

    @Test
    void tokenShouldNotRepeatABasicClientSecretWhenTheEndpointEchoesIt() {
        endpoint.replies(n -> new Reply(401, "{\"error\":\"invalid_client\",\"error_description\":"
            + "\"bad secret client-secret-S3\"}"));
        TokenGrant grant = ClientCredentialsGrantCall.withSecret(EndpointSettings.of(endpoint.uri()), "app",
            Secret.of("client-secret-S3"), Optional.empty(), clock);
        RefreshingTokenSource source = RefreshingTokenSource.inMemory(ACCOUNT, "cc", grant, Optional.empty(),
            Duration.ofMinutes(10), clock);

        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.detail()).contains("invalid_client", "bad secret").doesNotContain("client-secret-S3"));
    }

    @Test
    void endpointSettingsShouldRefuseUserInformationWithoutPrintingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> EndpointSettings.of(java.net.URI.create("https://client-1:client-secret-S3@login.example/token")))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user information")
            .hasMessageNotContaining("client-secret-S3");
    }

    private static List<String> inParallel(int threads, java.util.function.Supplier<String> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    return task.get();
                }));
            }
            List<String> results = new ArrayList<>();
            for (Future<String> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
