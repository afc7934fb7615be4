package org.jamespack.it.bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.memory.MemoryDomainList;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.james.transport.mailets.RemoteDelivery;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.it.relay.RelayJames;
import org.jamespack.relay.XOAuth2Relay;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;

import com.codahale.metrics.MetricRegistry;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The relay mailet against stock James {@code RemoteDelivery}, in one run (issue 5's benchmark; a
 * {@code main}, not a test).
 *
 * <p>Both mailets are driven directly, each with its own James memory mail queue
 * ({@code MemoryMailQueueFactory}), a {@code FakeMailContext}, and their own delivery threads
 * (the same number for both), by 50 concurrent sender threads calling {@code service}: the
 * harness for a real James was not on main when this was written. Both deliver to the same
 * GreenMail over STARTTLS with a certificate of a CA made at start (GreenMail has no STARTTLS:
 * {@link SmtpFront} terminates TLS in front of it, one front per mailet):
 * <ul>
 * <li>the relay: route {@code a.example} with a client-credentials token source from a real
 *     mock-oauth2-server (the pack's token registry, Nimbus), {@code AUTH XOAUTH2}; its front
 *     checks each token the way Dovecot does, by introspection at the OAuth2 server (once per
 *     token; Microsoft checks JWTs locally);</li>
 * <li>RemoteDelivery: {@code gateway}, {@code gatewayUsername}/{@code gatewayPassword},
 *     {@code startTLS=true}; GreenMail checks the password ({@code AUTH PLAIN}).</li>
 * </ul>
 * A warm-up of 50 messages per mailet comes first (JIT, TLS); then each mailet's measured batch:
 * messages per second from the first {@code service} call until GreenMail holds the last message.
 * Token-endpoint calls are counted at the OAuth2 server for the whole run, warm-up included
 * (goal: exactly 1 within one token lifetime, 3600 s here).
 *
 * <p>Then the same inside a real James 3.8.1 memory server ({@link RelayJames}): both mailets in
 * its {@code transport} processor (the relay for senders of {@code a.example}, RemoteDelivery
 * for the rest), 8 spooler threads, mail submitted over SMTP with AUTH by 50 concurrent
 * sessions; and a third run through a second relay instance whose journal is a {@code file://}
 * repository (the persistent set-up a memory James needs). There the rate is bounded by James'
 * SMTP ingress, which both runs share.
 *
 * <p>Run: {@code mvn -B -q -pl it -am test-compile exec:java
 * -Dexec.mainClass=org.jamespack.it.bench.RelayBenchmark} (optional arguments: messages,
 * senders, delivery threads per mailet, {@code direct-only}; defaults 1000, 50, 4).
 *
 * <p>Measured on the 2-core build machine (2026-11-23, other builds running): mailets driven
 * directly 503.8 vs 163.3 messages/s (ratio 3.08); inside James 258.2 vs 157.3 (1.64), with the
 * journal 258.8 (1.65); token-endpoint calls: 1 for 1050 relayed messages in each set-up.
 */
public final class RelayBenchmark {

    private static final String SENDER = "alice@a.example";
    private static final String GATEWAY_USER = "bench@a.example";
    private static final String GATEWAY_PASSWORD = "bench-password";
    private static final String BODY = "Benchmark body line. ".repeat(100);

    private RelayBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int warmUp = 50;
        Path dir = Files.createTempDirectory("relay-bench");
        TestCa ca = TestCa.create("localhost");
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        // RemoteDelivery's javax.mail takes the JVM's default TLS context: make it trust the test CA
        SSLContext.setDefault(clientContext(trust));

        MockOAuth2Server oauth = new MockOAuth2Server();
        oauth.start();
        GreenMail sink = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        sink.start();
        sink.setUser(GATEWAY_USER, GATEWAY_USER, GATEWAY_PASSWORD);
        Introspection introspection = new Introspection(oauth.url("relay/introspect").uri());
        SmtpFront xoauth2Front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), sink.getSmtp().getPort())
            .dovecotStyleAuth(introspection::active);
        SmtpFront passwordFront = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), sink.getSmtp().getPort());

        Path sources = dir.resolve("token-sources.xml");
        Files.writeString(sources, "<tokenSources>\n"
            + "  <tokenSource name=\"bench\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("relay") + "</tokenEndpoint>\n"
            + "    <clientId>relay@a.example</clientId>\n"
            + "    <clientSecret>bench-secret</clientSecret>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        XOAuth2Relay relay = new XOAuth2Relay(queues);
        relay.init(FakeMailetConfig.builder().mailetName("XOAuth2Relay").mailetContext(FakeMailContext.defaultContext())
            .setProperty("routes", "a.example: host=localhost::" + xoauth2Front.port() + " helo=bench.test user=relay@a.example oauth=bench connections=" + threads)
            .setProperty("tokenSourcesFile", sources.toString())
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .setProperty("deliveryThreads", String.valueOf(threads))
            .build());

        DNSService dns = new LoopbackDns();
        MemoryDomainList domains = new MemoryDomainList(dns);
        RemoteDelivery remoteDelivery = new RemoteDelivery(dns, domains, queues, new DropWizardMetricFactory(new MetricRegistry()),
            RemoteDelivery.ThreadState.START_THREADS);
        remoteDelivery.init(FakeMailetConfig.builder().mailetName("RemoteDelivery").mailetContext(FakeMailContext.defaultContext())
            .setProperty("outgoing", "bench-outgoing")
            .setProperty("gateway", "localhost")
            .setProperty("gatewayPort", String.valueOf(passwordFront.port()))
            .setProperty("gatewayUsername", GATEWAY_USER)
            .setProperty("gatewayPassword", GATEWAY_PASSWORD)
            .setProperty("startTLS", "true")
            .setProperty("heloName", "bench.test")
            .setProperty("deliveryThreads", String.valueOf(threads))
            .setProperty("maxRetries", "3")
            .setProperty("delayTime", "1s")
            .build());

        AtomicInteger expected = new AtomicInteger();
        run("warm-up relay", relay, warmUp, senders, sink, expected);
        run("warm-up RemoteDelivery", remoteDelivery, warmUp, senders, sink, expected);
        double relayRate = run("relay", relay, messages, senders, sink, expected);
        double stockRate = run("RemoteDelivery", remoteDelivery, messages, senders, sink, expected);
        int tokenCalls = tokenEndpointCalls(oauth);

        System.out.printf(Locale.ROOT, "%n%d messages, %d concurrent senders, %d delivery threads per mailet, STARTTLS to GreenMail%n",
            messages, senders, threads);
        System.out.printf(Locale.ROOT, "XOAuth2Relay (XOAUTH2, connections reused): %8.1f messages/s%n", relayRate);
        System.out.printf(Locale.ROOT, "RemoteDelivery (gateway + password):        %8.1f messages/s%n", stockRate);
        System.out.printf(Locale.ROOT, "ratio relay / RemoteDelivery:               %8.2f (goal >= 1.0)%n", relayRate / stockRate);
        System.out.printf(Locale.ROOT, "token-endpoint calls, whole run (%d relayed messages incl. warm-up): %d (goal: exactly 1)%n",
            warmUp + messages, tokenCalls);
        System.out.printf(Locale.ROOT, "SMTP connections: relay %d, RemoteDelivery %d; tokens introspected by the smarthost: %d%n",
            xoauth2Front.connections(), passwordFront.connections(), introspection.checked());
        System.out.printf(Locale.ROOT, "commands seen: relay %s; RemoteDelivery %s%n", histogram(xoauth2Front.commands()),
            histogram(passwordFront.commands()));

        relay.destroy();
        remoteDelivery.destroy();

        if (!(args.length > 3 && args[3].equals("direct-only"))) {
            inJames(dir, trust, oauth, sink, xoauth2Front, passwordFront, expected, messages, senders, threads);
        }

        xoauth2Front.close();
        passwordFront.close();
        sink.stop();
        oauth.shutdown();
        // James' memory queues keep non-daemon threads
        System.exit(0);
    }

    /** Sends {@code n} messages through {@code mailet} from {@code senders} threads; messages per second until all arrived. */
    private static double run(String label, Mailet mailet, int n, int senders, GreenMail sink, AtomicInteger expected)
        throws Exception {
        int target = expected.addAndGet(n);
        List<FakeMail> mails = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String rcpt = "rcpt" + i + "@dest.example";
            // submitted by the sender's own user, as James records an SMTP AUTH: the relay sends only for an owner
            mails.add(FakeMail.builder().name(label + "-" + i).sender(SENDER).recipient(rcpt)
                .attribute(new org.apache.mailet.Attribute(org.apache.mailet.Mail.SMTP_AUTH_USER,
                    org.apache.mailet.AttributeValue.of(SENDER)))
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(SENDER).addToRecipient(rcpt)
                    .setSubject(label + " " + i).setText(BODY))
                .build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    mailet.service(mails.get(i));
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
        while (sink.getReceivedMessages().length < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": only " + sink.getReceivedMessages().length + " of " + target + " arrived");
            }
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        double rate = n / seconds;
        System.out.printf(Locale.ROOT, "%-24s %5d messages in %6.2f s: %8.1f messages/s%n", label, n, seconds, rate);
        return rate;
    }

    /**
     * The same comparison inside a real James 3.8.1 (memory server): both mailets in the {@code transport} processor,
     * mail submitted over SMTP with AUTH by {@code senders} concurrent client sessions (one session per client);
     * a third run through a second relay instance with its journal on a {@code file://} repository.
     */
    private static void inJames(Path dir, Path trust, MockOAuth2Server oauth, GreenMail sink, SmtpFront xoauth2Front,
                                SmtpFront passwordFront, AtomicInteger expected, int messages, int senders, int threads) throws Exception {
        Path sources = Files.writeString(dir.resolve("james-token-sources.xml"), "<tokenSources>\n"
            + "  <tokenSource name=\"bench\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("relay-james") + "</tokenEndpoint>\n"
            + "    <clientId>relay@a.example</clientId>\n"
            + "    <clientSecret>bench-secret</clientSecret>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        Path journalSources = Files.writeString(dir.resolve("journal-token-sources.xml"), Files.readString(sources)
            .replace("relay-james", "relay-journal"));
        String relay = "<mailet match=\"org.jamespack.relay.SenderHasRoute=%s\" class=\"org.jamespack.relay.XOAuth2Relay\">\n"
            + "  <queue>%s</queue>\n"
            + "  <routes>%s: host=localhost::" + xoauth2Front.port() + " helo=bench.test user=relay@a.example oauth=bench connections="
            + threads + "</routes>\n"
            + "  <tokenSourcesFile>%s</tokenSourcesFile>\n"
            + "  <trustStore>" + trust + "</trustStore>\n"
            + "  <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
            + "  <deliveryThreads>" + threads + "</deliveryThreads>\n"
            + "%s"
            + "</mailet>\n";
        String transport = String.format(Locale.ROOT, relay, "a.example", "xoauth2-relay", "a.example", sources, "")
            + String.format(Locale.ROOT, relay, "c.example", "xoauth2-relay-journal", "c.example", journalSources,
                "  <journal>file://var/mail/xoauth2-relay-journal/</journal>\n")
            + "<mailet match=\"SMTPAuthSuccessful\" class=\"RemoteDelivery\">\n"
            + "  <outgoing>outgoing</outgoing>\n"
            + "  <gateway>localhost</gateway>\n"
            + "  <gatewayPort>" + passwordFront.port() + "</gatewayPort>\n"
            + "  <gatewayUsername>" + GATEWAY_USER + "</gatewayUsername>\n"
            + "  <gatewayPassword>" + GATEWAY_PASSWORD + "</gatewayPassword>\n"
            + "  <startTLS>true</startTLS>\n"
            + "  <heloName>bench.test</heloName>\n"
            + "  <deliveryThreads>" + threads + "</deliveryThreads>\n"
            + "  <maxRetries>3</maxRetries>\n"
            + "  <delayTime>1000</delayTime>\n"
            + "</mailet>\n";
        tokenEndpointCalls(oauth, "");
        try (RelayJames james = RelayJames.start(Files.createDirectories(dir.resolve("james")),
            List.of("a.example", "b.example", "c.example"), transport, "<mailet match=\"All\" class=\"Null\"/>\n", 8)) {
            james.addUser("alice@a.example", "bench-submit");
            james.addUser("bob@b.example", "bench-submit");
            james.addUser("carol@c.example", "bench-submit");
            int warmUp = 50;
            submitRun("warm-up James relay", james.smtpPort(), "alice@a.example", warmUp, senders, sink, expected);
            submitRun("warm-up James RD", james.smtpPort(), "bob@b.example", warmUp, senders, sink, expected);
            submitRun("warm-up James journal", james.smtpPort(), "carol@c.example", warmUp, senders, sink, expected);
            double relayRate = submitRun("James: relay", james.smtpPort(), "alice@a.example", messages, senders, sink, expected);
            double stockRate = submitRun("James: RemoteDelivery", james.smtpPort(), "bob@b.example", messages, senders, sink, expected);
            double journalRate = submitRun("James: relay + journal", james.smtpPort(), "carol@c.example", messages, senders, sink,
                expected);
            int calls = tokenEndpointCalls(oauth, "/relay-james/token");
            System.out.printf(Locale.ROOT, "%nInside James 3.8.1 (SMTP submission by %d concurrent sessions, 8 spooler threads, %d delivery "
                + "threads per mailet):%n", senders, threads);
            System.out.printf(Locale.ROOT, "XOAuth2Relay:                %8.1f messages/s%n", relayRate);
            System.out.printf(Locale.ROOT, "RemoteDelivery:              %8.1f messages/s%n", stockRate);
            System.out.printf(Locale.ROOT, "XOAuth2Relay with journal:   %8.1f messages/s%n", journalRate);
            System.out.printf(Locale.ROOT, "ratio relay / RemoteDelivery: %7.2f; with journal: %.2f (goal >= 1.0)%n", relayRate / stockRate,
                journalRate / stockRate);
            System.out.printf(Locale.ROOT, "token-endpoint calls of the relay in James (%d messages): %d (goal: exactly 1)%n",
                warmUp + messages, calls);
        }
    }

    /** {@code n} messages submitted to James by {@code senders} SMTP sessions; messages per second until all arrived. */
    private static double submitRun(String label, int port, String sender, int n, int senders, GreenMail sink, AtomicInteger expected)
        throws Exception {
        int target = expected.addAndGet(n);
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            done.add(pool.submit(() -> {
                start.await();
                try (org.jamespack.it.clients.SmtpClient smtp = new org.jamespack.it.clients.SmtpClient(port)) {
                    smtp.ehlo();
                    expect(smtp.authPlain(sender, "bench-submit"), "235");
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        expect(smtp.command("MAIL FROM:<" + sender + ">"), "250");
                        expect(smtp.command("RCPT TO:<rcpt" + i + "@dest.example>"), "250");
                        expect(smtp.command("DATA"), "354");
                        smtp.send("From: <" + sender + ">");
                        smtp.send("To: <rcpt" + i + "@dest.example>");
                        smtp.send("Subject: " + label + " " + i);
                        smtp.send("");
                        smtp.send(BODY);
                        expect(smtp.command("."), "250");
                    }
                    smtp.quit();
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        double submitted = (System.nanoTime() - t0) / 1e9;
        long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
        while (sink.getReceivedMessages().length < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": only " + sink.getReceivedMessages().length + " of " + target + " arrived");
            }
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        double rate = n / seconds;
        System.out.printf(Locale.ROOT, "%-24s %5d messages in %6.2f s (submitted in %5.2f s): %8.1f messages/s%n", label, n, seconds,
            submitted, rate);
        return rate;
    }

    private static void expect(String reply, String code) {
        if (!reply.startsWith(code)) {
            throw new IllegalStateException("expected " + code + ", got " + reply);
        }
    }

    /** Requests the OAuth2 server recorded on its token endpoints (introspections are recorded too, and skipped). */
    private static int tokenEndpointCalls(MockOAuth2Server oauth) {
        return tokenEndpointCalls(oauth, "/relay/token");
    }

    /** Drains the server's request log; counts requests whose path ends with {@code suffix}. */
    private static int tokenEndpointCalls(MockOAuth2Server oauth, String suffix) {
        int calls = 0;
        while (true) {
            RecordedRequest r;
            try {
                r = oauth.takeRequest(200, TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                return calls;
            }
            if (r == null) {
                return calls;
            }
            if (r.getPath() != null && !suffix.isEmpty() && r.getPath().endsWith(suffix)) {
                calls++;
            }
        }
    }

    private static Map<String, Long> histogram(List<String> commands) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String c : commands) {
            String verb = c.split("[ :]", 2)[0].toUpperCase(Locale.ROOT);
            if (verb.matches("[A-Z]{4,8}")) {
                counts.merge(verb, 1L, Long::sum);
            }
        }
        return counts;
    }

    private static SSLContext clientContext(Path trustStore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            ks.load(in, TestCa.PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static void quietLogging() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger) {
            ((ch.qos.logback.classic.Logger) root).setLevel(ch.qos.logback.classic.Level.WARN);
            // the mailets test-jar's logback-test.xml sets the pack's loggers to DEBUG: one line per message would be measured
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jamespack")).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** The smarthost's token check: RFC 7662 introspection at the OAuth2 server, once per token. */
    private static final class Introspection {
        private final URI endpoint;
        private final HttpClient http = HttpClient.newHttpClient();
        private final Map<String, Boolean> seen = new ConcurrentHashMap<>();

        Introspection(URI endpoint) {
            this.endpoint = endpoint;
        }

        boolean active(String token) {
            return seen.computeIfAbsent(token, this::ask);
        }

        int checked() {
            return seen.size();
        }

        private boolean ask(String token) {
            // at the token's own issuer (the runs in James use issuers of their own)
            URI at = endpoint;
            String[] parts = token.split("\\.");
            if (parts.length == 3) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"iss\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8));
                if (m.find()) {
                    at = URI.create(m.group(1) + "/introspect");
                }
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(at)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("smarthost:x".getBytes()))
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"active\":true");
            } catch (Exception e) {
                return false;
            }
        }
    }

    /** Name resolution for RemoteDelivery's gateway: loopback only (the benchmark must not touch the network). */
    private static final class LoopbackDns implements DNSService {
        @Override
        public Collection<String> findMXRecords(String hostname) {
            return List.of("localhost");
        }

        @Override
        public Collection<String> findTXTRecords(String hostname) {
            return List.of();
        }

        @Override
        public Collection<InetAddress> getAllByName(String host) throws UnknownHostException {
            return List.of(getByName(host));
        }

        @Override
        public InetAddress getByName(String host) throws UnknownHostException {
            if (host.equals("localhost") || host.equals("127.0.0.1")) {
                return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
            }
            throw new UnknownHostException(host + " (benchmark resolves loopback only)");
        }

        @Override
        public InetAddress getLocalHost() throws UnknownHostException {
            return getByName("localhost");
        }

        @Override
        public String getHostName(InetAddress addr) {
            return "localhost";
        }
    }
}
