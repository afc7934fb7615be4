package org.jamespack.it.bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
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
import java.util.Properties;
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
import reactor.core.scheduler.Schedulers;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * The relay mailet against stock James {@code RemoteDelivery}, in one JVM (a {@code main}, not a test).
 *
 * <p>The mailets are driven directly, each with its own James memory mail queue ({@code MemoryMailQueueFactory}), a
 * {@code FakeMailContext} and its own delivery threads, by 50 concurrent sender threads calling {@code service}. All
 * deliver to one GreenMail over STARTTLS with a certificate of a CA made at start (GreenMail has no STARTTLS:
 * {@link SmtpFront} terminates TLS in front of it, one front per mailet, so that each one's connections and AUTHs are
 * counted):
 * <ul>
 * <li>the relay: route {@code a.example} with a client-credentials token source from a real mock-oauth2-server (the
 *     pack's token registry, Nimbus), {@code AUTH XOAUTH2}; its front checks each token the way Dovecot does, by
 *     introspection at the OAuth2 server (once per token). Twice: with its connection pool ({@code idleTimeout=60s}, 4
 *     delivery threads by default), and with a connection per message ({@code idleTimeout=0ms}), what a relay gets
 *     whenever messages are further apart than its idle time-out: there every message pays the TCP connect, STARTTLS, the
 *     TLS handshake and AUTH;</li>
 * <li>RemoteDelivery: {@code gateway}, {@code gatewayUsername}/{@code gatewayPassword}, {@code startTLS=true};
 *     GreenMail checks the password ({@code AUTH PLAIN}). It opens a connection per message. James 3.8.1's RemoteDelivery
 *     has no {@code deliveryThreads} setting: it delivers as many messages at once as reactor's default bounded-elastic
 *     scheduler has threads (10 per core), so the relay with a connection per message is given as many delivery threads,
 *     and the fronts print the most connections each had open at once.</li>
 * </ul>
 * Each mailet first sends a warm-up of 1 000 messages (JIT, TLS session caches, token); then three rounds of the
 * measured batch, the order of the mailets reversed in the second round: messages per second from the first
 * {@code service} call until GreenMail holds the last message. Printed: the median of the three rounds, the ratio to
 * RemoteDelivery, and per round the connections and AUTHs each front saw. Token-endpoint calls are counted at the OAuth2
 * server for the whole run (goal: one per relay).
 *
 * <p>Then the goal's own measure, a message that finds no open connection: single messages, each alone in the system,
 * the relay (connection per message) and RemoteDelivery taking turns, from {@code service} until GreenMail holds it;
 * the median and 90th percentile, and where a connection's time went step by step as the fronts saw it
 * ({@link org.jamespack.relay.testing.Timeline}).
 *
 * <p>Then (unless {@code direct-only}) the same inside a real James 3.8.1 memory server ({@link RelayJames}): both
 * mailets in its {@code transport} processor (the relay for senders of {@code a.example}, RemoteDelivery for the
 * rest), 8 spooler threads, mail submitted over SMTP with AUTH by 50 concurrent sessions; and a third run through a
 * second relay instance whose journal is a {@code file://} repository. There the rate is bounded by James' SMTP
 * ingress, which both runs share.
 *
 * <p>Run: {@code mvn -B -o -q -pl it -am test-compile exec:java -Dexec.mainClass=org.jamespack.it.bench.RelayBenchmark}
 * (optional {@code -Dexec.args="messages senders threads [direct-only]"}; defaults 1000, 50, 4). Figures and where they
 * come from: the README's benchmark section.
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

        MemoryMailQueueFactory queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        DNSService dns = new LoopbackDns();
        // the relay's connection pool against a connection per message (idleTimeout=0ms: what a relay gets whenever messages
        // are further apart than its idle time-out), each beside RemoteDelivery (always a connection per message) with the
        // same number of delivery threads; every mailet has a front of its own, so that its connections and AUTHs are counted
        // James 3.8.1's RemoteDelivery has no deliveryThreads setting: its DeliveryRunnable delivers on reactor's default
        // bounded-elastic size (10 x cores) at once. The relay with a connection per message gets the same concurrency, so
        // that the two compare the cost of a connection, not the number of threads
        int remoteDeliveryConcurrency = Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE;
        List<Case> cases = new ArrayList<>();
        cases.add(relayCase("relay, pooled", "relay", threads, "60s", xoauth2Front, dir, oauth, trust, queues));
        cases.add(relayCase("relay, fresh", "relay-fresh", remoteDeliveryConcurrency, "0ms", front(ca, sink, introspection), dir, oauth,
            trust, queues));
        cases.add(remoteDeliveryCase("RemoteDelivery", "rd", remoteDeliveryConcurrency, passwordFront, dns, queues));
        Case reference = cases.get(2);

        AtomicInteger expected = new AtomicInteger();
        for (Case c : cases) {
            run("warm-up " + c.label(), c.mailet(), WARM_UP, senders, sink, expected);
        }
        for (Case c : cases) {
            c.front().timeline().reset();
        }
        int rounds = 3;
        for (int round = 0; round < rounds; round++) {
            List<Case> order = new ArrayList<>(cases);
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Case c : order) {
                int connectionsBefore = c.front().connections();
                int authsBefore = auths(c.front());
                c.rates().add(run(c.label() + " #" + (round + 1), c.mailet(), messages, senders, sink, expected));
                c.connections().add(c.front().connections() - connectionsBefore);
                c.auths().add(auths(c.front()) - authsBefore);
            }
        }
        int tokenCalls = tokenEndpointCalls(oauth, "/token");

        System.out.printf(Locale.ROOT, "%n%d messages a round, %d rounds (order alternating) after a warm-up of %d messages per mailet, "
            + "%d concurrent senders, STARTTLS to GreenMail; median of the rounds%n", messages, rounds, WARM_UP, senders);
        for (Case c : cases) {
            System.out.printf(Locale.ROOT, "%-16s %2d threads %8.1f messages/s  ratio to RemoteDelivery %5.2f  connections %s  AUTHs %s  "
                    + "at most %d open at once%n", c.label(), c.threads(), median(c.rates()), median(c.rates()) / median(reference.rates()),
                c.connections(), c.auths(), c.front().timeline().mostOpen());
        }
        System.out.printf(Locale.ROOT, "token-endpoint calls, whole run, %d relay mailets: %d (goal: one each)%n", 2, tokenCalls);
        System.out.printf(Locale.ROOT, "tokens introspected by the smarthosts: %d%n", introspection.checked());

        // the goal's own measure: a message that finds no open connection (after an idle period), alone in the system
        Case fresh = cases.get(1);
        loneMessages(List.of(fresh, reference), LONE_WARM_UP, LONE_MESSAGES, sink, expected);
        remoteDeliveryClientWithAndWithoutNoDelay(ca, sink, expected);

        for (Case c : cases) {
            c.mailet().destroy();
        }

        if (!(args.length > 3 && args[3].equals("direct-only"))) {
            inJames(dir, trust, oauth, sink, xoauth2Front, passwordFront, new AtomicInteger(sink.getReceivedMessages().length), messages,
                senders, threads);
        }

        xoauth2Front.close();
        passwordFront.close();
        sink.stop();
        oauth.shutdown();
        // James' memory queues keep non-daemon threads
        System.exit(0);
    }

    private static final int WARM_UP = 1000;
    private static final int LONE_WARM_UP = 200;
    private static final int LONE_MESSAGES = 300;
    private static final long LONE_GAP_MILLIS = 20;

    /** One mailet under measurement, its front, and per round: messages per second, connections and AUTHs at its front. */
    private record Case(String label, Mailet mailet, int threads, SmtpFront front, List<Double> rates, List<Integer> connections,
                        List<Integer> auths) {
        Case(String label, Mailet mailet, int threads, SmtpFront front) {
            this(label, mailet, threads, front, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private static SmtpFront front(TestCa ca, GreenMail sink, Introspection introspection) throws Exception {
        SmtpFront front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), sink.getSmtp().getPort());
        return introspection == null ? front : front.dovecotStyleAuth(introspection::active);
    }

    private static Case relayCase(String label, String name, int threads, String idleTimeout, SmtpFront front, Path dir,
                                  MockOAuth2Server oauth, Path trust, MemoryMailQueueFactory queues) throws Exception {
        Path sources = Files.writeString(dir.resolve(name + "-token-sources.xml"), "<tokenSources>\n"
            + "  <tokenSource name=\"bench\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl(name) + "</tokenEndpoint>\n"
            + "    <clientId>relay@a.example</clientId>\n"
            + "    <clientSecret>bench-secret</clientSecret>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        XOAuth2Relay relay = new XOAuth2Relay(queues);
        relay.init(FakeMailetConfig.builder().mailetName("XOAuth2Relay-" + name).mailetContext(FakeMailContext.defaultContext())
            .setProperty("queue", "bench-" + name)
            .setProperty("routes", "a.example: host=localhost::" + front.port() + " helo=bench.test user=relay@a.example oauth=bench "
                + "connections=" + threads)
            .setProperty("tokenSourcesFile", sources.toString())
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .setProperty("deliveryThreads", String.valueOf(threads))
            .setProperty("idleTimeout", idleTimeout)
            .build());
        return new Case(label, relay, threads, front);
    }

    private static Case remoteDeliveryCase(String label, String name, int threads, SmtpFront front, DNSService dns,
                                           MemoryMailQueueFactory queues) throws Exception {
        RemoteDelivery remoteDelivery = new RemoteDelivery(dns, new MemoryDomainList(dns), queues,
            new DropWizardMetricFactory(new MetricRegistry()), RemoteDelivery.ThreadState.START_THREADS);
        remoteDelivery.init(FakeMailetConfig.builder().mailetName("RemoteDelivery-" + name).mailetContext(FakeMailContext.defaultContext())
            .setProperty("outgoing", "bench-" + name)
            .setProperty("gateway", "localhost")
            .setProperty("gatewayPort", String.valueOf(front.port()))
            .setProperty("gatewayUsername", GATEWAY_USER)
            .setProperty("gatewayPassword", GATEWAY_PASSWORD)
            .setProperty("startTLS", "true")
            .setProperty("heloName", "bench.test")
            .setProperty("maxRetries", "3")
            .setProperty("delayTime", "1s")
            .build());
        return new Case(label, remoteDelivery, threads, front);
    }

    /**
     * One message at a time, each alone in the system and {@value #LONE_GAP_MILLIS} ms after the one before, the mailets
     * taking turns: the time from {@code service} until GreenMail has the message. Every one pays a new connection (the
     * relay's idle time-out is zero; RemoteDelivery never keeps one). Prints the median and the 90th percentile per mailet,
     * their ratio, and where a connection's time went as the fronts saw it.
     */
    private static void loneMessages(List<Case> cases, int warmUp, int measured, GreenMail sink, AtomicInteger expected) throws Exception {
        Map<Case, List<Double>> millis = new java.util.LinkedHashMap<>();
        cases.forEach(c -> millis.put(c, new ArrayList<>()));
        for (int i = 0; i < warmUp + measured; i++) {
            if (i == warmUp) {
                cases.forEach(c -> c.front().timeline().reset());
            }
            List<Case> order = new ArrayList<>(cases);
            if (i % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Case c : order) {
                Thread.sleep(LONE_GAP_MILLIS);
                FakeMail mail = mail("lone " + c.label() + " " + i, "lone" + i + "@dest.example");
                // GreenMail's latch counts to a total of messages held
                CountDownLatch arrived = sink.getManagers().getSmtpManager().createAndAddNewWaitObject(expected.incrementAndGet());
                long t0 = System.nanoTime();
                c.mailet().service(mail);
                if (!arrived.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(c.label() + ": lone message " + i + " did not arrive");
                }
                if (i >= warmUp) {
                    millis.get(c).add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nA message that finds no open connection: %d alone, one every %d ms, mailets taking turns, after %d "
            + "each as warm-up; from service until GreenMail has it%n", measured, LONE_GAP_MILLIS, warmUp);
        List<Double> reference = millis.get(cases.get(cases.size() - 1));
        for (Case c : cases) {
            List<Double> m = millis.get(c);
            System.out.printf(Locale.ROOT, "%-16s median %6.2f ms  p90 %6.2f ms  ratio of medians to RemoteDelivery %5.2f (goal <= 1.0)%n",
                c.label(), percentile(m, 50), percentile(m, 90), percentile(m, 50) / percentile(reference, 50));
        }
        System.out.printf(Locale.ROOT, "where a lone connection's time goes, as each front saw it (mean ms from the step before):%n");
        for (Case c : cases) {
            System.out.printf(Locale.ROOT, "%-16s %s%n", c.label(), c.front().timeline().summary());
        }
    }

    /**
     * Where the difference on a lone message comes from: the client RemoteDelivery uses (javax.mail 1.6, its defaults,
     * STARTTLS and AUTH PLAIN as RemoteDelivery sets them up), one connection per message, 200 after 50 as warm-up,
     * against a front of its own: once as it is, once with a socket factory that sets {@code TCP_NODELAY}, as the
     * relay's sockets have it. Prints each step's mean as the front saw it.
     */
    private static void remoteDeliveryClientWithAndWithoutNoDelay(TestCa ca, GreenMail sink, AtomicInteger expected) throws Exception {
        System.out.printf(Locale.ROOT, "%nRemoteDelivery's client (javax.mail 1.6) alone, a connection per message, with and without "
            + "TCP_NODELAY (mean ms from the step before):%n");
        for (boolean noDelay : new boolean[] {false, true}) {
            try (SmtpFront front = front(ca, sink, null)) {
                Properties p = new Properties();
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.auth", "true");
                p.put("mail.smtp.localhost", "bench.test");
                if (noDelay) {
                    p.put("mail.smtp.socketFactory", new NoDelaySockets());
                }
                javax.mail.Session session = javax.mail.Session.getInstance(p);
                for (int i = 0; i < 250; i++) {
                    if (i == 50) {
                        front.timeline().reset();
                    }
                    javax.mail.internet.MimeMessage m = new javax.mail.internet.MimeMessage(session);
                    m.setFrom(GATEWAY_USER);
                    m.setText(BODY);
                    m.saveChanges();
                    javax.mail.Transport t = session.getTransport("smtp");
                    t.connect("localhost", front.port(), GATEWAY_USER, GATEWAY_PASSWORD);
                    try {
                        t.sendMessage(m, new javax.mail.Address[] {new javax.mail.internet.InternetAddress("nodelay" + i + "@dest.example")});
                    } finally {
                        t.close();
                    }
                    expected.incrementAndGet();
                }
                System.out.printf(Locale.ROOT, "%-16s %s%n", noDelay ? "TCP_NODELAY" : "as it is", front.timeline().summary());
            }
        }
    }

    /** Plain sockets with {@code TCP_NODELAY}, for javax.mail's {@code mail.smtp.socketFactory}. */
    private static final class NoDelaySockets extends javax.net.SocketFactory {
        private static Socket noDelay(Socket s) throws java.io.IOException {
            s.setTcpNoDelay(true);
            return s;
        }

        @Override
        public Socket createSocket() throws java.io.IOException {
            return noDelay(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws java.io.IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws java.io.IOException {
            return noDelay(new Socket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws java.io.IOException {
            return noDelay(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws java.io.IOException {
            return noDelay(new Socket(host, port, local, localPort));
        }
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private static FakeMail mail(String name, String rcpt) throws Exception {
        // submitted by the sender's own user, as James records an SMTP AUTH: the relay sends only for an owner
        return FakeMail.builder().name(name).sender(SENDER).recipient(rcpt)
            .attribute(new org.apache.mailet.Attribute(org.apache.mailet.Mail.SMTP_AUTH_USER, org.apache.mailet.AttributeValue.of(SENDER)))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(SENDER).addToRecipient(rcpt).setSubject(name).setText(BODY))
            .build();
    }

    private static int auths(SmtpFront front) {
        return (int) front.commands().stream().filter(c -> c.toUpperCase(Locale.ROOT).startsWith("AUTH")).count();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** Sends {@code n} messages through {@code mailet} from {@code senders} threads; messages per second until all arrived. */
    private static double run(String label, Mailet mailet, int n, int senders, GreenMail sink, AtomicInteger expected)
        throws Exception {
        int target = expected.addAndGet(n);
        List<FakeMail> mails = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            mails.add(mail(label + "-" + i, "rcpt" + i + "@dest.example"));
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
