package org.jamespack.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.james.utils.GuiceProbe;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.BackendFactories;
import org.jamespack.auth.james.AuthPackModule;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.relay.broker.EximReadsocketClient;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The relay's operations side in a real James 3.8.1: the {@code xoauth2-relay} health check and
 * {@code GET /xoauth2-relay/routes} in WebAdmin follow a token endpoint that answers, then fails
 * with 503 (degraded: the cached token still works), then refuses the refresh token (unhealthy);
 * the relay, token and authenticator metrics move in James' metric registry and its Prometheus
 * route; the cache routes drop cached verdicts; the broker started by the mailet serves a token to
 * an allowed uid and refuses another; after the operator's reset the route is healthy again and
 * the queued mail goes out. The methods run in order: they tell one story.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayOpsTest {

    static final String ALICE = "alice@example.org";
    static final String ALICE_PASSWORD = "alice-pack-password";
    static final String ACCESS = "ops-access-token-7f3a";
    static final String REFRESH = "ops-refresh-secret-91b2";
    static final String CLIENT_SECRET = "ops-client-secret-55c1";
    static final String ROUTE = "alice@example.org";

    @RegisterExtension
    @Order(1)
    static Outside outside = new Outside();

    @RegisterExtension
    @Order(2)
    static PackJamesExtension james = PackJamesExtension.builder()
        .confResource("ops-conf/")
        .backends(BackendFactories.standard()
            .withBackend("static", node -> new StaticVerifier()))
        .usersRepositoryXml(() -> "<usersrepository name=\"LocalUsers\">\n"
            + "  <enableVirtualHosting>true</enableVirtualHosting>\n"
            + "  <authpack mode=\"password-only\">\n"
            + "    <static name=\"corp\"/>\n"
            + "    <cache/>\n"
            + "  </authpack>\n"
            + "</usersrepository>\n")
        .confFile("mailetcontainer.xml", () -> outside.mailetContainer())
        .confFile("webadmin.properties", () -> "enabled=true\nport=0\nhost=127.0.0.1\n"
            + "extensions.routes=org.apache.james.webadmin.dropwizard.MetricsRoutes\n")
        // as code that builds James itself does: the relay jar's PackAddOn service entry brings RelayOpsModule
        .overrideWith(Modules.combine(AuthPackModule.addOnModules()))
        .overrideWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(MetricsProbe.class))
        .build();

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Order(1)
    void healthShouldBeHealthyAndMailRelayedWhenTokenEndpointAnswers() throws Exception {
        james.addJamesUser(ALICE, "james-own-password");
        await("a token fetched by the upkeep", () -> route().path("endpointCalls").asLong() > 0
            && !route().path("tokenExpiry").isNull());

        JsonNode r = route();
        assertThat(r.path("health").asText()).isEqualTo("HEALTHY");
        assertThat(r.path("senderKey").asText()).isEqualTo(ROUTE);
        assertThat(r.path("smarthost").asText()).isEqualTo("localhost:" + outside.front.port());
        assertThat(r.path("account").asText()).isEqualTo(ALICE);
        assertThat(r.path("credential").asText()).isEqualTo("oauth=m365");
        assertThat(r.path("lastRefresh").isNull()).isFalse();
        assertThat(r.path("queued").asLong()).isZero();
        HttpResponse<String> check = get("/healthcheck/checks/xoauth2-relay");
        assertThat(check.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(check.body()).path("status").asText()).isEqualTo("healthy");

        sendMail("first");
        await("the mail at the smarthost", () -> outside.greenMail.getReceivedMessages().length == 1);
        MetricsProbe metrics = metrics();
        await("the sent counter", () -> metrics.counter("jamespack.relay.sent." + ROUTE) == 1);
        assertThat(metrics.counter("jamespack.token.refreshes." + ALICE)).isPositive();
        assertThat(metrics.counter("jamespack.token.failures." + ALICE)).isZero();
        assertThat(metrics.counter("jamespack.auth.backend.corp.accepted")).isEqualTo(1);
        assertThat(metrics.timerCount("jamespack.auth.backend.corp.latency")).isEqualTo(1);
        assertThat(metrics.counter("jamespack.auth.decision.accepted")).isEqualTo(1);
        assertNoSecret(get("/xoauth2-relay/routes").body());
    }

    @Test
    @Order(2)
    void authMetricsAndCacheRoutesShouldFollowLogins() throws Exception {
        MetricsProbe metrics = metrics();
        long rejectedBefore = metrics.counter("jamespack.auth.backend.corp.rejected");
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain(ALICE, "wrong")).startsWith("535");
        }
        assertThat(metrics.counter("jamespack.auth.backend.corp.rejected")).isEqualTo(rejectedBefore + 1);
        assertThat(metrics.counter("jamespack.auth.decision.rejected")).isPositive();

        assertThat(JSON.readTree(get("/authpack/cache").body()).path("entries").asLong()).isPositive();
        assertThat(delete("/authpack/cache/users/" + ALICE).statusCode()).isEqualTo(204);
        assertThat(JSON.readTree(get("/authpack/cache").body()).path("entries").asLong()).isZero();

        long asked = metrics.counter("jamespack.auth.backend.corp.accepted");
        login();
        login();
        // the second login came from the cache: the backend was asked once
        assertThat(metrics.counter("jamespack.auth.backend.corp.accepted")).isEqualTo(asked + 1);
        assertThat(delete("/authpack/cache").statusCode()).isEqualTo(204);
        login();
        assertThat(metrics.counter("jamespack.auth.backend.corp.accepted")).isEqualTo(asked + 2);
        assertNoSecret(get("/authpack/cache").body());
    }

    @Test
    @Order(3)
    void brokerStartedByJamesShouldServeAllowedUidAndRefuseAnother() throws Exception {
        Path socket = outside.socket;
        assertThat(socket).exists();
        String why = outside.whyNoOtherUids();
        if (why != null) {
            // same uid as James: allowed by the configuration written for this case
            byte[] answer = EximReadsocketClient.readsocket(socket, "SMTP " + ALICE, true, Duration.ofSeconds(5));
            assertThat(new String(answer, StandardCharsets.ISO_8859_1))
                .isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + ACCESS + "\u0001\u0001");
            System.out.println("RelayOpsTest: cross-uid part skipped: " + why);
            Assumptions.assumeTrue(false, why);
        }
        Result allowed = outside.runAs(65534, 65534, "SMTP " + ALICE);
        assertThat(allowed.exit).as(allowed.stderr).isZero();
        assertThat(allowed.stdout).isEqualTo("user=" + ALICE + "\u0001auth=Bearer " + ACCESS + "\u0001\u0001");

        Result refused = outside.runAs(1, 65534, "SMTP " + ALICE);
        assertThat(refused.exit).as(refused.stderr).isZero();
        assertThat(refused.stdout).isEmpty();
    }

    @Test
    @Order(4)
    void healthShouldTurnDegradedThenUnhealthyWhenTokenEndpointRefuses() throws Exception {
        MetricsProbe metrics = metrics();
        outside.endpoint.mode(SwitchableTokenEndpoint.Mode.UNAVAILABLE);
        await("degraded", () -> "degraded".equals(checkStatus()));

        HttpResponse<String> check = get("/healthcheck/checks/xoauth2-relay");
        assertThat(check.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(check.body()).path("cause").asText()).contains("DEGRADED route '" + ROUTE + "'", "refresh failing");
        JsonNode r = route();
        assertThat(r.path("health").asText()).isIn("DEGRADED", "UNHEALTHY");
        assertThat(r.path("lastFailureKind").asText()).isEqualTo("TRANSIENT");
        await("a failure counted", () -> metrics.counter("jamespack.token.failures." + ALICE) > 0);

        outside.endpoint.mode(SwitchableTokenEndpoint.Mode.INVALID_GRANT);
        await("unhealthy", () -> "unhealthy".equals(checkStatus()));
        check = get("/healthcheck/checks/xoauth2-relay");
        assertThat(check.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(check.body()).path("cause").asText()).contains("UNHEALTHY route '" + ROUTE + "'", "credential broken");
        assertThat(get("/healthcheck").statusCode()).isEqualTo(503);
        r = route();
        assertThat(r.path("health").asText()).isEqualTo("UNHEALTHY");
        assertThat(r.path("lastFailureKind").asText()).isEqualTo("CREDENTIAL_BROKEN");
        assertThat(r.path("lastFailure").asText()).contains("invalid_grant");

        // a message now stays queued: deferred, counted, and visible in the route's queue count
        sendMail("second");
        await("the deferral", () -> metrics.counter("jamespack.relay.deferred." + ROUTE) >= 1);
        await("the queued count", () -> route().path("queued").asLong() == 1);
        // the route is paused as a whole (its mail held, one probe per interval), and says what to do
        assertThat(route().path("healthReason").asText()).startsWith("paused since ").contains("credential broken: ",
            "diagnosis: [AADSTS700082]");
        assertThat(route().path("pausedSince").isTextual()).isTrue();
        assertThat(route().path("diagnosis").get(0).asText()).startsWith("[AADSTS700082] ");
        assertThat(outside.greenMail.getReceivedMessages()).hasSize(1);
        assertThat(metrics.counter("jamespack.relay.bounced." + ROUTE)).isZero();

        String prometheus = get("/metrics").body();
        assertThat(prometheus).contains("jamespack_relay_sent_alice_example_org", "jamespack_relay_deferred_alice_example_org",
            "jamespack_token_failures_alice_example_org");
        assertNoSecret(get("/xoauth2-relay/routes").body());
        assertNoSecret(get("/healthcheck").body());
    }

    @Test
    @Order(5)
    void resetShouldMakeRouteHealthyAndFlushShouldDeliverWhenOperatorFixedTheAccount() throws Exception {
        MetricsProbe metrics = metrics();
        assertThat(post("/xoauth2-relay/accounts/nobody@example.org/reset", "").statusCode()).isEqualTo(404);
        outside.endpoint.mode(SwitchableTokenEndpoint.Mode.OK);
        // still broken: the source calls the endpoint again only after an operator's reset
        Thread.sleep(600);
        assertThat(checkStatus()).isEqualTo("unhealthy");

        assertThat(post("/xoauth2-relay/accounts/" + ALICE + "/reset", "").statusCode()).isEqualTo(204);
        assertThat(checkStatus()).isEqualTo("healthy");
        assertThat(get("/healthcheck").statusCode()).isEqualTo(200);

        HttpResponse<String> flush = http(HttpRequest.newBuilder(webAdmin("/mailQueues/xoauth2-relay/mails?delayed=true"))
            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"delayed\": false}")));
        assertThat(flush.statusCode()).as(flush.body()).isEqualTo(204);
        await("the queued mail at the smarthost", () -> outside.greenMail.getReceivedMessages().length == 2);
        await("the second sent", () -> metrics.counter("jamespack.relay.sent." + ROUTE) == 2);
        await("an empty queue", () -> route().path("queued").asLong() == 0);
        assertThat(route().path("health").asText()).isEqualTo("HEALTHY");
    }

    // ---- helpers

    static MetricsProbe metrics() {
        return james.server().getProbe(MetricsProbe.class);
    }

    static void login() throws IOException {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain(ALICE, ALICE_PASSWORD)).startsWith("235");
        }
    }

    static void sendMail(String subject) throws IOException {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain(ALICE, ALICE_PASSWORD)).startsWith("235");
            assertThat(smtp.command("MAIL FROM:<" + ALICE + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<bob@remote.test>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("From: " + ALICE);
            smtp.send("To: bob@remote.test");
            smtp.send("Subject: " + subject);
            smtp.send("");
            smtp.send("relay ops test");
            assertThat(smtp.command(".")).startsWith("250");
            smtp.quit();
        }
    }

    static void assertNoSecret(String text) {
        assertThat(text).doesNotContain(ACCESS).doesNotContain(REFRESH).doesNotContain(CLIENT_SECRET)
            .doesNotContain(ALICE_PASSWORD);
    }

    static String checkStatus() {
        try {
            return JSON.readTree(get("/healthcheck/checks/xoauth2-relay").body()).path("status").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static JsonNode route() {
        try {
            JsonNode all = JSON.readTree(get("/xoauth2-relay/routes").body());
            assertThat(all.size()).isEqualTo(1);
            return all.get(0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HttpResponse<String> get(String path) {
        return http(HttpRequest.newBuilder(webAdmin(path)).GET());
    }

    static HttpResponse<String> post(String path, String body) {
        return http(HttpRequest.newBuilder(webAdmin(path)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> delete(String path) {
        return http(HttpRequest.newBuilder(webAdmin(path)).DELETE());
    }

    static URI webAdmin(String path) {
        int port = james.server().getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue();
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static HttpResponse<String> http(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; routes: " + get("/xoauth2-relay/routes").body()
                    + "; metrics: " + metrics().counters("jamespack."));
            }
            Thread.sleep(100);
        }
    }

    /** The one backend: alice with her pack password; everyone else is refused. */
    static final class StaticVerifier implements CredentialVerifier {
        @Override
        public Verdict verify(LoginAttempt attempt) {
            java.util.Optional<Verdict> early = InputGuard.precheck(attempt);
            if (early.isPresent()) {
                return early.get();
            }
            return attempt.login().equalsIgnoreCase(ALICE) && attempt.password().reveal().equals(ALICE_PASSWORD)
                ? Verdict.accepted() : Verdict.rejected();
        }

        @Override
        public String name() {
            return "static";
        }
    }

    record Result(int exit, String stdout, String stderr) {
    }

    /**
     * What James talks to, started before James: the switchable token endpoint, GreenMail behind
     * the STARTTLS front, and the files the mailet reads (token source, trust store, broker).
     */
    static final class Outside implements BeforeAllCallback, AfterAllCallback {
        Path dir;
        Path socket;
        Path clientClasses;
        TestCa ca;
        SwitchableTokenEndpoint endpoint;
        GreenMail greenMail;
        SmtpFront front;
        private final List<AutoCloseable> closing = new ArrayList<>();

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            dir = Files.createTempDirectory("relay-ops");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            // expires in 6 s, refreshed from 4 s before: fresh 2 s, then every upkeep tick refreshes
            endpoint = new SwitchableTokenEndpoint(ACCESS, 6);
            closing.add(endpoint);
            greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
            greenMail.start();
            closing.add(greenMail::stop);
            // GreenMail checks an XOAUTH2 token against the user's password
            greenMail.setUser(ALICE, ALICE, ACCESS);
            ca = TestCa.create("localhost");
            front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), greenMail.getSmtp().getPort());
            closing.add(front);
            ca.writeTrustStore(dir.resolve("trust.p12"));
            Files.writeString(dir.resolve("token-sources.xml"), "<tokenSources>\n"
                + "  <tokenSource name=\"m365\" type=\"refresh-token\" tokenEndpoint=\"" + endpoint.url() + "\" clientId=\"relay-client\""
                + " clientSecret=\"" + CLIENT_SECRET + "\" refreshToken=\"" + REFRESH + "\"/>\n"
                + "</tokenSources>\n");
            Path run = Files.createDirectory(dir.resolve("run"));
            socket = run.resolve("broker.sock");
            String broker;
            if (whyNoOtherUids() == null) {
                Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-x---"));
                Files.getFileAttributeView(run, PosixFileAttributeView.class)
                    .setGroup(run.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup"));
                broker = "<broker socket=\"" + socket + "\" group=\"nogroup\"><account name=\"" + ALICE + "\" allow=\"nobody\"/></broker>";
                clientClasses = copyClientClasses(dir.resolve("client"));
            } else {
                broker = "<broker socket=\"" + socket + "\"><account name=\"" + ALICE + "\" allow=\""
                    + System.getProperty("user.name") + "\"/></broker>";
            }
            Files.writeString(dir.resolve("broker.xml"), broker);
        }

        String mailetContainer() {
            return "<?xml version=\"1.0\"?>\n"
                + "<mailetcontainer enableJmx=\"false\">\n"
                + "  <context><postmaster>postmaster@example.org</postmaster></context>\n"
                + "  <spooler><threads>2</threads><errorRepository>memory://var/mail/error/</errorRepository></spooler>\n"
                + "  <processors>\n"
                + "    <processor state=\"root\" enableJmx=\"false\">\n"
                + "      <mailet match=\"All\" class=\"ToProcessor\"><processor>transport</processor></mailet>\n"
                + "    </processor>\n"
                + "    <processor state=\"error\" enableJmx=\"false\">\n"
                + "      <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/error/</repositoryPath></mailet>\n"
                + "    </processor>\n"
                + "    <processor state=\"transport\" enableJmx=\"false\">\n"
                + "      <mailet match=\"All\" class=\"RemoveMimeHeader\"><name>bcc</name></mailet>\n"
                + "      <mailet match=\"SMTPAuthSuccessful\" class=\"org.jamespack.relay.XOAuth2Relay\">\n"
                + "        <routes>" + ROUTE + ": host=localhost::" + front.port() + " helo=relay.test user=" + ALICE
                + " oauth=m365</routes>\n"
                + "        <tokenSourcesFile>" + dir.resolve("token-sources.xml") + "</tokenSourcesFile>\n"
                + "        <tokenRefreshWindow>4s</tokenRefreshWindow>\n"
                + "        <tokenUpkeep>250ms</tokenUpkeep>\n"
                + "        <brokerFile>" + dir.resolve("broker.xml") + "</brokerFile>\n"
                + "        <trustStore>" + dir.resolve("trust.p12") + "</trustStore>\n"
                + "        <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
                + "        <bounceProcessor>bounces</bounceProcessor>\n"
                + "        <deliveryThreads>2</deliveryThreads>\n"
                + "        <connectTimeout>5s</connectTimeout>\n"
                + "        <readTimeout>10s</readTimeout>\n"
                + "      </mailet>\n"
                + "      <mailet match=\"All\" class=\"ToProcessor\"><processor>relay-denied</processor></mailet>\n"
                + "    </processor>\n"
                + "    <processor state=\"bounces\" enableJmx=\"false\">\n"
                + "      <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/bounces/</repositoryPath></mailet>\n"
                + "    </processor>\n"
                + "    <processor state=\"relay-denied\" enableJmx=\"false\">\n"
                + "      <mailet match=\"All\" class=\"ToRepository\"><repositoryPath>memory://var/mail/relay-denied/</repositoryPath></mailet>\n"
                + "    </processor>\n"
                + "  </processors>\n"
                + "</mailetcontainer>\n";
        }

        /** Why this machine cannot run clients as other uids, or null when it can. */
        String whyNoOtherUids() {
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

        /** exim's readsocket, as uid/gid, through util-linux setpriv, in a JVM of its own. */
        Result runAs(int uid, int gid, String request) throws IOException, InterruptedException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = List.of("/usr/bin/setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--", java,
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", clientClasses.toString(),
                EximReadsocketClient.class.getName(), socket.toString(), request);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("HOME", "/nonexistent");
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1), new String(err, StandardCharsets.UTF_8));
        }

        /** The client's class files, world-readable, outside the build tree (they may sit in the mailets test-jar). */
        static Path copyClientClasses(Path root) throws IOException {
            String pkg = EximReadsocketClient.class.getPackageName().replace('.', '/');
            Path target = Files.createDirectories(root.resolve(pkg));
            for (String name : List.of("EximReadsocketClient.class", "EximReadsocketClient$ReadTimedOut.class")) {
                try (InputStream in = EximReadsocketClient.class.getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("missing class file " + name);
                    }
                    Files.copy(in, target.resolve(name));
                }
                Files.setPosixFilePermissions(target.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
            }
            for (Path p = target; p != null && p.startsWith(root); p = p.getParent()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return root;
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            for (int i = closing.size() - 1; i >= 0; i--) {
                closing.get(i).close();
            }
        }
    }
}
