package org.jamespack.it.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.dist.JamesHome;


/**
 * The demo (README command 1): an in-memory LDAP directory with four users (one whose mailbox
 * lives on another qmail-ldap cluster member) and a James 3.8.1
 * with the pack in directory mode (LDAP rebind, verdict cache and throttle on) on 127.0.0.1 —
 * SMTP 2525 (AUTH announced), IMAP 2143, POP3 2110, WebAdmin 8000. James runs as operators run
 * it: its own launcher ({@code MemoryJamesServerMain}) in a JVM of its own with the image's flags,
 * James' jars only on its class path, the pack's jars from the release archive in
 * {@code demo-data/extensions-jars/} ({@link JamesHome}). The configuration is written from the
 * templates under {@code demo/} on the test classpath into {@code demo-data/conf/}. Ctrl-C stops it.
 *
 * <pre>mvn -B -q -pl it -am package -DskipTests exec:java -Dexec.mainClass=org.jamespack.it.demo.DemoServer</pre>
 *
 * <p>Ports may be moved with {@code -Ddemo.smtp.port=…} (and {@code imap}, {@code pop3},
 * {@code webadmin}), the data directory with {@code -Ddemo.dir=…}.
 */
public final class DemoServer {

    /** The demo's add-ons, in start order; the relay add-on goes here. */
    static final List<DemoAddon> ADDONS = List.of(new RelayDemoAddon());

    private static final List<String> TEMPLATES = List.of("smtpserver.xml", "imapserver.xml", "pop3server.xml",
        "usersrepository.xml", "domainlist.xml", "dnsservice.xml", "mailrepositorystore.xml", "mailetcontainer.xml",
        "listeners.xml", "webadmin.properties", "extensions.properties", "logback.xml", "jvm.properties",
        "healthcheck.properties");
    /** What the demo lays out in its James home on every start (James' jars, the pack's jars). */
    private static final List<String> LAYOUT = List.of("libs", "classes", "resources", "extensions-jars");

    /** The other cluster member that holds dave's mailbox; the demo James calls itself mail1.example.org. */
    static final String DAVE_MAIL_HOST = "mail2.example.org";

    private DemoServer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("demo.dir", "demo-data")).toAbsolutePath();
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("smtp.port", System.getProperty("demo.smtp.port", "2525"));
        vars.put("imap.port", System.getProperty("demo.imap.port", "2143"));
        vars.put("pop3.port", System.getProperty("demo.pop3.port", "2110"));
        vars.put("webadmin.port", System.getProperty("demo.webadmin.port", "8000"));

        List<AutoCloseable> started = new ArrayList<>();
        // the LDAP tests' directory: qmail-ldap schema (accountStatus) and a thread-safe {SSHA} check
        InMemoryLdap directory = InMemoryLdap.start();
        started.add(directory);
        directory.addUser("alice", "alice@example.org", "alice-secret");
        directory.addSshaUser("bob", "bob@example.org", "bob-secret");
        directory.addUser("carol", "carol@example.org", "carol-secret", Optional.of("disabled"));
        // qmail-ldap clustering: the demo James is mail1.example.org (localHosts), dave's mailbox is on mail2
        directory.modify(directory.addUser("dave", "dave@example.org", "dave-secret"), "mailHost", DAVE_MAIL_HOST);
        vars.put("ldap.url", directory.url());
        vars.put("ldap.base", InMemoryLdap.BASE_DN);
        vars.put("ldap.bindDn", InMemoryLdap.SERVICE_DN);
        vars.put("ldap.bindPassword", InMemoryLdap.SERVICE_PASSWORD);

        Path conf = dir.resolve("conf");
        deleteTree(conf);
        Files.createDirectories(conf);
        for (String name : TEMPLATES) {
            Files.writeString(conf.resolve(name), fill(template(name), vars), StandardCharsets.UTF_8);
        }
        for (DemoAddon addon : ADDONS) {
            addon.beforeJamesStarts(conf, vars);
            if (!addon.modules().isEmpty()) {
                throw new IllegalStateException(addon + ": James runs in its own JVM, Guice modules cannot reach it");
            }
            started.add(addon);
        }

        // James' own launcher, as the image runs it: James' jars on the class path, the pack's in extensions-jars/
        Process james;
        try {
            for (String d : LAYOUT) {
                deleteTree(dir.resolve(d));
            }
            Path scratch = Files.createTempDirectory("jamespack-demo");
            JamesHome.layOut(dir, scratch);
            deleteTree(scratch);
            Path log = Files.createDirectories(dir.resolve("logs")).resolve("james.log");
            Files.deleteIfExists(log);
            Files.createFile(log);
            james = JamesHome.command(dir).inheritIO().start();
            started.add(0, () -> JamesHome.stop(james));
            for (String port : List.of("smtp.port", "imap.port", "pop3.port", "webadmin.port")) {
                JamesHome.awaitPort(Integer.parseInt(vars.get(port)), james, log, Duration.ofMinutes(3));
            }
        } catch (Exception | Error e) {
            closeAll(started);
            throw e;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("demo: stopping");
            closeAll(started);
            stopped.countDown();
        }, "demo-shutdown"));

        System.out.println();
        System.out.println("James 3.8.1 (its own launcher, MemoryJamesServerMain) with the auth pack in " + dir.resolve("extensions-jars"));
        System.out.println("  configuration in " + conf + ", log in " + dir.resolve("logs/james.log"));
        System.out.println("  SMTP      127.0.0.1:" + vars.get("smtp.port") + "   (AUTH PLAIN/LOGIN announced)");
        System.out.println("  IMAP      127.0.0.1:" + vars.get("imap.port"));
        System.out.println("  POP3      127.0.0.1:" + vars.get("pop3.port"));
        System.out.println("  WebAdmin  http://127.0.0.1:" + vars.get("webadmin.port") + "/");
        System.out.println("  LDAP      " + directory.url() + "   (in-memory, base " + InMemoryLdap.BASE_DN + ", LDAP rebind)");
        System.out.println("Test users:");
        System.out.println("  alice@example.org / alice-secret   logs in");
        System.out.println("  bob@example.org   / bob-secret     logs in (stored as {SSHA})");
        System.out.println("  carol@example.org / carol-secret   refused: accountStatus disabled");
        System.out.println("  dave@example.org  / dave-secret    mailHost " + DAVE_MAIL_HOST
            + ": SMTP AUTH works, IMAP answers a login referral, POP3 -ERR [SYS/PERM]");
        for (DemoAddon addon : ADDONS) {
            addon.banner().forEach(line -> System.out.println("  " + line));
        }
        System.out.println("Audit log: logger org.jamespack.auth.audit (below, and in the log file). Stop with Ctrl-C.");
        stopped.await();
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("demo: stopping " + c + " failed: " + e);
            }
        }
    }

    private static String template(String name) throws IOException {
        try (InputStream in = DemoServer.class.getClassLoader().getResourceAsStream("demo/" + name)) {
            if (in == null) {
                throw new IOException("missing demo template demo/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String fill(String template, Map<String, String> vars) {
        String s = template;
        for (Map.Entry<String, String> e : vars.entrySet()) {
            s = s.replace("${" + e.getKey() + "}", e.getValue());
        }
        return s;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
