package org.jamespack.it.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.utils.DataProbeImpl;
import org.apache.james.utils.GuiceProbe;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.Eventually;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * Starts James 3.8.1 from every {@code conf-samples/} tree, as an operator would after the
 * steps its comments ask for (a keystore; for Gmail the service account's key file), with the
 * test's servers at the sample's backend addresses, and logs in once (SMTP AUTH) or relays one
 * message through the tree's smarthost route. One James start per tree.
 *
 * <p>What differs from the shipped tree, and nothing else: listening ports (free loopback ports),
 * backend addresses and URLs (InMemoryLdap, the Kopano stand-in, mock-oauth2-server, GreenMail
 * behind a STARTTLS front), the Docker path {@code /root/conf/} (the copy's path), and for the
 * relay trees a {@code trustStore} for the test CA that signed the stand-in smarthost's certificate
 * (a real smarthost's is trusted through the JVM's CAs).
 */
// James 3.8.1's WebAdminServer waits for ever when its port is taken (only a foreign program binding a reserved port
// between its check and James' bind can do that now): a bounded test fails instead of hanging the build, and
// stopLeftOverJames stops that James before the next test
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SampleTreesTest {

    static final String SERVICE_DN = "cn=james,dc=example,dc=org";
    static final String SAMPLE_LDAP = "ldap://127.0.0.1:389";
    static final String SAMPLE_KOPANO = "http://localhost:236/kopano";
    static final String ISSUER = "relay";

    static InMemoryLdap ldap;
    static KopanoStandIn kopano;
    static MockOAuth2Server oauth;
    static TestCa ca;
    static GreenMail smarthost;
    static SmtpFront front;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void backends() throws Exception {
        ldap = InMemoryLdap.start();
        // the samples' service account, with the samples' placeholder password
        ldap.server().add("dn: " + SERVICE_DN, "objectClass: top", "objectClass: person", "cn: james", "sn: james",
            "userPassword: CHANGE-ME");
        ldap.addUser("alice", "alice@example.org", "alice-secret");
        ldap.addSshaUser("bob", "bob@example.org", "bob-secret");
        ldap.modify(ldap.server().getEntry("uid=bob," + InMemoryLdap.PEOPLE_DN).getDN(), "mailAlternateAddress",
            "robert@example.org");
        kopano = KopanoStandIn.start();
        kopano.addUser("kim@example.org", "kim-secret").enable("imap");
        oauth = new MockOAuth2Server();
        oauth.start();
        ca = TestCa.create("localhost");
        SampleTree.createKeystore(shared.resolve("keystore"));
        smarthost = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smarthost.start();
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort())
            .dovecotStyleAuth(SampleTreesTest::introspect);
    }

    @AfterAll
    static void stopBackends() throws Exception {
        front.close();
        smarthost.stop();
        oauth.shutdown();
        kopano.close();
        ldap.close();
    }

    @Test
    void everyTreeShouldBeStartedByThisTest() {
        // a new tree without a test here would rot unseen
        assertThat(SampleTree.names()).containsExactlyInAnyOrder("kopano", "kopano-then-ldap", "ldap-compare",
            "ldap-rebind", "relay-exim-smarthosts", "relay-gmail", "relay-m365", "relay-postfix-sasl-xoauth2");
    }

    @Test
    void ldapRebindTreeShouldLogInAnLdapUser() throws Exception {
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "ldap-rebind", dir).backend(SAMPLE_LDAP, ldap.url()).install();
        try (Running james = Running.stock(tree)) {
            assertThat(smtpAuth(tree, "alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
            assertThat(smtpAuth(tree, "alice@example.org", "wrong")).startsWith("535");
        }
    }

    @Test
    void ldapCompareTreeShouldLogInThroughAMailAlternateAddressWithAnSshaHash() throws Exception {
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "ldap-compare", dir).backend(SAMPLE_LDAP, ldap.url()).install();
        try (Running james = Running.stock(tree)) {
            assertThat(smtpAuth(tree, "robert@example.org", "bob-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void kopanoTreeShouldLogInAJamesUserWithTheKopanoPassword() throws Exception {
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "kopano", dir).backend(SAMPLE_KOPANO, kopano.url().toString()).install();
        try (Running james = Running.stock(tree)) {
            james.addUser("kim@example.org", "james-own-password");
            assertThat(smtpAuth(tree, "kim@example.org", "kim-secret")).isEqualTo("235 Authentication Successful");
            assertThat(smtpAuth(tree, "kim@example.org", "james-own-password")).startsWith("535");
        }
    }

    /** A pack handler named in James' XML without the pack's module: James refuses to start, never falls back to its own passwords. */
    @Test
    void aTreeWithoutThePackModuleShouldNotStart() throws Exception {
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "kopano", dir).backend(SAMPLE_KOPANO, kopano.url().toString()).install();
        tree.write("extensions.properties", "# the operator forgot guice.extension.module\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Running.stock(tree).close())
            .hasStackTraceContaining("org.jamespack.auth.pack.AuthPack");
    }

    @Test
    void kopanoThenLdapTreeShouldLogInAnLdapUserAfterKopanoSaysNo() throws Exception {
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "kopano-then-ldap", dir)
            .backend(SAMPLE_KOPANO, kopano.url().toString()).backend(SAMPLE_LDAP, ldap.url()).install();
        try (Running james = Running.stock(tree)) {
            james.addUser("alice@example.org", "james-own-password");
            assertThat(smtpAuth(tree, "alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void relayM365TreeShouldRelayWithAClientCredentialsToken() throws Exception {
        SampleTree tree = relayTree("relay-m365", "smtp.office365.com::587")
            .backend("https://login.microsoftonline.com/TENANT/oauth2/v2.0/token", oauth.tokenEndpointUrl(ISSUER).toString())
            .install();
        trustTestCa(tree);
        try (Running james = Running.stock(tree)) {
            refusesToRelayWithoutAuth(tree, "alice@example.org");
            relayOne(tree, james, "alice@example.org", "relay@example.org");
        }
    }

    @Test
    void relayGmailTreeShouldRelayWithAServiceAccountToken() throws Exception {
        // the tree's second token source (a personal account's refresh token) names Google's endpoint: a closed
        // loopback port instead, so that the relay's token upkeep reaches nothing off this machine
        SampleTree tree = relayTree("relay-gmail", "smtp.gmail.com::587")
            .backend("https://oauth2.googleapis.com/token", "http://127.0.0.1:" + TestPorts.closedPort() + "/token").install();
        trustTestCa(tree);
        // the file the operator downloads from Google's console, with the test's token endpoint
        tree.write("google-service-account.json", serviceAccountKey());
        try (Running james = Running.stock(tree)) {
            relayOne(tree, james, "alice@example.com", "relay@example.com");
        }
    }

    @Test
    void relayEximTreeShouldRelayWithTheTokenOfASaslXoauth2TokenFile() throws Exception {
        SampleTree tree = relayTree("relay-exim-smarthosts", "smtp.office365.com::587")
            .backend("https://login.microsoftonline.com/TENANT/oauth2/v2.0/token", oauth.tokenEndpointUrl(ISSUER).toString())
            .install();
        trustTestCa(tree);
        // a token file as sasl-xoauth2 leaves it: a current access token, its expiry, a refresh token
        tree.write("sasl-xoauth2/relay@example.org", "{\n  \"access_token\" : \"" + clientCredentialsToken() + "\",\n"
            + "  \"refresh_token\" : \"not-needed-while-the-access-token-lives\",\n"
            + "  \"expiry\" : \"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "\"\n}\n");
        try (Running james = Running.stock(tree)) {
            relayOne(tree, james, "carol@example.org", "relay@example.org");
        }
    }

    @Test
    void relayPostfixTreeShouldRelayWithTheTokenFileItsPasswordMapNames() throws Exception {
        // the smarthost as Postfix writes a next hop: [host]:port
        SampleTree tree = new SampleTree(shared.resolve("keystore"), "relay-postfix-sasl-xoauth2", dir)
            .backend("[smtp.office365.com]:587", "[localhost]:" + front.port())
            .backend("https://login.microsoftonline.com/TENANT/oauth2/v2.0/token", oauth.tokenEndpointUrl(ISSUER).toString())
            .install();
        trustTestCa(tree);
        tree.write("sasl-xoauth2/relay@example.org", "{\n  \"access_token\" : \"" + clientCredentialsToken() + "\",\n"
            + "  \"refresh_token\" : \"not-needed-while-the-access-token-lives\",\n"
            + "  \"expiry\" : \"" + Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + "\"\n}\n");
        try (Running james = Running.stock(tree)) {
            relayOne(tree, james, "dave@example.org", "relay@example.org");
        }
    }

    private SampleTree relayTree(String name, String sampleSmarthost) {
        return new SampleTree(shared.resolve("keystore"), name, dir).backend(sampleSmarthost, "localhost::" + front.port());
    }

    /** The one change that is not an address: the stand-in smarthost's certificate comes from the test CA. */
    private static void trustTestCa(SampleTree tree) throws Exception {
        Path trust = ca.writeTrustStore(tree.conf().resolve("test-ca.p12"));
        String mc = tree.read("mailetcontainer.xml");
        String marker = "class=\"org.jamespack.relay.XOAuth2Relay\">";
        assertThat(mc).contains(marker);
        tree.write("mailetcontainer.xml", mc.replace(marker, marker + "\n<trustStore>" + trust + "</trustStore>"
            + "<trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>"));
    }

    private static String smtpAuth(SampleTree tree, String login, String password) throws IOException {
        try (SmtpClient smtp = new SmtpClient(tree.port(25))) {
            smtp.ehlo();
            return smtp.authPlain(login, password);
        }
    }

    /** No network may relay without AUTH through the relay samples (loopback included): a local process cannot send as a user. */
    private static void refusesToRelayWithoutAuth(SampleTree tree, String sender) throws Exception {
        try (SmtpClient smtp = new SmtpClient(tree.port(25))) {
            smtp.ehlo();
            String mail = smtp.command("MAIL FROM:<" + sender + ">");
            if (mail.startsWith("250")) {
                assertThat(smtp.command("RCPT TO:<rcpt@dest.example>")).as("unauthenticated relaying from loopback").doesNotStartWith("250");
            } else {
                assertThat(mail).as("verifyIdentity: a local sender must authenticate").matches("5\\d\\d.*");
            }
            smtp.quit();
        }
    }

    /**
     * Submits one message as a mail client does with the samples: port 587, STARTTLS (the tree's own keystore, made as
     * its comments say, is the only trust anchor), AUTH as the sender's own James user (the relay samples authorise no
     * network to relay without AUTH, and the relay sends only for the sender's owner); waits for the smarthost to get it.
     */
    private static void relayOne(SampleTree tree, Running james, String sender, String account) throws Exception {
        james.addUser(sender, "sender-secret");
        int before = smarthost.getReceivedMessages().length;
        int authsBefore = front.authUsers().size();
        java.security.KeyStore keystore = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(tree.conf().resolve("keystore"))) {
            keystore.load(in, "CHANGE-ME".toCharArray());
        }
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keystore);
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        java.util.Properties p = new java.util.Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(tree.port(587)));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", "PLAIN");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", tls.getSocketFactory());
        // the keytool certificate names CN=localhost, the connection 127.0.0.1; trust is pinned to that one certificate
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.connectiontimeout", "15000");
        p.put("mail.smtp.timeout", "15000");
        jakarta.mail.Session session = jakarta.mail.Session.getInstance(p);
        // parsed from its text, not built: James' javax.mail beside Jakarta Mail on this class path confuses the content
        // handlers that setText would need; a parsed message is written out as it was read
        jakarta.mail.internet.MimeMessage message = new jakarta.mail.internet.MimeMessage(session, new java.io.ByteArrayInputStream(
            ("From: <" + sender + ">\r\nTo: <rcpt@dest.example>\r\nSubject: sample " + tree.name() + "\r\n\r\nrelayed by the "
                + tree.name() + " sample\r\n").getBytes(StandardCharsets.UTF_8)));
        try (jakarta.mail.Transport transport = session.getTransport("smtp")) {
            transport.connect(sender, "sender-secret");
            transport.sendMessage(message, message.getAllRecipients());
        }
        Eventually.within(Duration.ofSeconds(30), () -> assertThat(smarthost.getReceivedMessages()).hasSize(before + 1));
        assertThat(front.authUsers().subList(authsBefore, front.authUsers().size())).containsOnly(account);

        // the relay's operations on James' own launcher (RelayExtensionModule in extensions.properties): the mailet,
        // the health check and the WebAdmin routes share one registry. The tree's other sample routes have no
        // working credential here, so the check as a whole may be unhealthy; it must know the routes, and the
        // route that just relayed is healthy
        HttpResponse<String> check = webAdmin(tree, "/healthcheck/checks/xoauth2-relay");
        assertThat(check.statusCode()).as(check.body()).isIn(200, 503);
        assertThat(JSON.readTree(check.body()).path("componentName").asText()).isEqualTo("xoauth2-relay");
        HttpResponse<String> routes = webAdmin(tree, "/xoauth2-relay/routes");
        assertThat(routes.statusCode()).as(routes.body()).isEqualTo(200);
        List<JsonNode> used = new ArrayList<>();
        JSON.readTree(routes.body()).forEach(r -> {
            if (r.path("account").asText().equals(account)) {
                used.add(r);
            }
        });
        assertThat(used).as(routes.body()).isNotEmpty().allSatisfy(r -> assertThat(r.path("health").asText()).isEqualTo("HEALTHY"));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> webAdmin(SampleTree tree, String path) throws Exception {
        return HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + tree.port(8000) + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static boolean introspect(String token) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(oauth.url(ISSUER + "/introspect").uri())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("smarthost:x".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(),
                HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"active\":true");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String clientCredentialsToken() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(oauth.tokenEndpointUrl(ISSUER).uri())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=exim&client_secret=x&scope=smtp"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String serviceAccountKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        // JSON-escaped PEM, as in Google's key files: "\\n" between the 64-character lines
        String b64 = Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded());
        StringBuilder pem = new StringBuilder("-----BEGIN PRIVATE KEY-----\\n");
        for (int i = 0; i < b64.length(); i += 64) {
            pem.append(b64, i, Math.min(b64.length(), i + 64)).append("\\n");
        }
        pem.append("-----END PRIVATE KEY-----\\n");
        return "{\n  \"type\": \"service_account\",\n  \"project_id\": \"sample\",\n  \"private_key_id\": \"k1\",\n"
            + "  \"private_key\": \"" + pem + "\",\n  \"client_email\": \"relay@sample.iam.gserviceaccount.com\",\n"
            + "  \"client_id\": \"1\",\n  \"token_uri\": \"" + oauth.tokenEndpointUrl(ISSUER) + "\"\n}\n";
    }

    /** Stops the James of a test whose start never returned (the time-out above), before the next test starts its own. */
    @AfterEach
    void stopLeftOverJames() {
        Running.stopLeftOver();
    }

    /**
     * A James started from a tree, stopped at the end of the test, the tree's ports given back.
     * The James being started is known before its start returns, so that a start that fails or
     * hangs is stopped (its threads, ports and JMX names freed) before the next test's James.
     */
    static final class Running implements AutoCloseable {
        private static final AtomicReference<Running> LEFT_OVER = new AtomicReference<>();

        private final GuiceJamesServer server;
        private final SampleTree tree;

        private Running(GuiceJamesServer server, SampleTree tree) {
            this.server = server;
            this.tree = tree;
        }

        private static MemoryJamesConfiguration configuration(SampleTree tree) {
            return MemoryJamesConfiguration.builder().workingDirectory(tree.workingDirectory().toFile())
                .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT).build();
        }

        private static Module probes() {
            return binder -> {
                Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class).permitDuplicates();
                probes.addBinding().to(DataProbeImpl.class);
                probes.addBinding().to(ProtocolServersProbe.class);
            };
        }

        /**
         * Through James' own launcher ({@code MemoryJamesServerMain.createServer}), as the image
         * runs every tree: the pack comes in by the tree's {@code extensions.properties}.
         */
        static Running stock(SampleTree tree) throws Exception {
            return start(tree, () -> new Running(MemoryJamesServerMain.createServer(configuration(tree)).overrideWith(probes()), tree));
        }

        /** Starts James, on fresh ports again when a port of the tree turned out to be taken. */
        private static Running start(SampleTree tree, Supplier<Running> create) throws Exception {
            int[] starts = {0};
            return TestPorts.retryOnBindFailure(() -> {
                if (starts[0]++ > 0) {
                    tree.reassignPorts();
                }
                Running running = create.get();
                LEFT_OVER.set(running);
                try {
                    running.server.start();
                } catch (Exception e) {
                    running.stopServer();
                    throw e;
                }
                return running;
            });
        }

        static void stopLeftOver() {
            Running left = LEFT_OVER.getAndSet(null);
            if (left != null) {
                left.close();
            }
        }

        void addUser(String user, String password) throws Exception {
            server.getProbe(DataProbeImpl.class).addUser(user, password);
        }

        private void stopServer() {
            if (server.isStarted()) {
                // James' stop would unbind the tree's servers one by one, each waiting out Netty's quiet period
                server.getProbe(ProtocolServersProbe.class).unbindAll();
            }
            server.stop();
        }

        @Override
        public void close() {
            LEFT_OVER.compareAndSet(this, null);
            try {
                stopServer();
            } finally {
                tree.close();
            }
        }
    }
}
