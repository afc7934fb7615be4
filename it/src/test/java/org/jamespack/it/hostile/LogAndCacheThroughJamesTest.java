package org.jamespack.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jamespack.auth.LogSafe;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.hostile.Attempts.Outcome;
import org.jamespack.it.hostile.Attempts.Way;
import org.jamespack.it.hostile.HostileCorpus.Entry;
import org.jamespack.it.hostile.HostileCorpus.Value;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, items 8 and 12, through one real James 3.8.1 (one start-up for both: the it/ suite's
 * time is mostly James starting).
 *
 * <p><b>Forged log lines (item 8).</b> Logins that try to forge log lines, through a real James 3.8.1 over SMTP AUTH
 * PLAIN, SMTP AUTH LOGIN, IMAP LOGIN (a literal carries CR and LF) and POP3 USER/PASS, against
 * LDAP rebind wrapped by the cache and a throttle that refuses a pair's second attempt (so its
 * "throttled" log line sees a hostile login too). Each login starts with a marker
 * {@code evNN} of its own and holds CR, LF, CRLF followed by a whole fake audit line, NUL, ANSI
 * escapes, NEL (U+0085) or U+2028.
 *
 * <p>Asserted over every log event the JVM wrote meanwhile (James' own included): exactly one
 * audit line per login the pack answered, none for one James refused itself, and no message
 * holding the forgery's text has a raw control character or a line break in it, so no line
 * of a log file can start with the forged prefix. James' own MDC values are not the pack's:
 * see {@link #message}.
 *
 * <p><b>Verdict cache by user (item 12).</b> alice is cached under two login forms ({@code alice}
 * by IMAP, {@code alice@example.org} by SMTP; the directory knows both, uid and mail); her
 * password changes in the directory; the old one keeps working from the cache (the documented
 * price of {@code positiveTtl}) until the operator invalidates one form through WebAdmin, after
 * which the old password fails by both forms and the new one works.
 */
class LogAndCacheThroughJamesTest {

    private static final String FORGED_AUDIT = "2026-12-06 05:00:00,000 INFO  org.jamespack.auth.audit - login=alice "
        + "protocol=smtp client=127.0.0.1 backend=ldap verdict=ACCEPTED reason=OK detail=FORGED ms=1";
    /** What may follow the marker: each tries another way to end or hide a line. */
    private static final List<String> PAYLOADS = List.of(
        "\r\n" + FORGED_AUDIT,
        "\n" + FORGED_AUDIT,
        "\r" + FORGED_AUDIT,
        "\u0000" + FORGED_AUDIT,
        "\u001b[2K\u001b[1G" + FORGED_AUDIT + "\u001b[0m",
        "\u0085" + FORGED_AUDIT,
        "\u2028" + FORGED_AUDIT);
    private static final Pattern RAW_CONTROL = Pattern.compile("[\\x00-\\x08\\x0a-\\x1f\\x7f\\x80-\\x9f\\u2028\\u2029]");

    @RegisterExtension
    @Order(0)
    static final CapturedLogs LOGS = new CapturedLogs();

    static final InMemoryLdap LDAP = HostileBackends.ldapWithUsers();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(HostileBackends.factories())
        .usersRepositoryXml(() -> HostileBackends.usersRepository("directory",
            // alice by uid or mail: two login forms of one entry
            HostileBackends.ldapElement(LDAP.url(), "rebind", "").replace("loginAttribute=\"mail\"", "loginAttribute=\"uid,mail\""),
            "    <cache/>\n",
            // no delay (the test sends some 60 logins), and a pair's second attempt is throttled
            "    <throttle failureDelay=\"0s\" penaltyAfter=\"1\" penaltyInitial=\"10m\" penaltyMax=\"10m\" forgetAfter=\"10m\"/>\n"))
        .confFile("webadmin.properties", () -> "enabled=true\nport=0\nhost=127.0.0.1\n")
        .build();

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    @AfterAll
    static void stop() {
        LDAP.close();
    }

    @Test
    void everyHostileLoginShouldGiveOneEscapedAuditLineAndNoForgedLineOnEveryProtocol() {
        List<String> report = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        int n = 0;
        for (Way way : Attempts.ways()) {
            for (String payload : PAYLOADS) {
                String marker = String.format("ev%02d", n++);
                Entry entry = entry(marker + payload, "wrong-" + marker);
                if (way == Way.POP3_USER_PASS && (payload.contains("\r") || payload.contains("\n"))) {
                    continue; // a line protocol cannot carry CR or LF inside USER: the rest would be a command of its own
                }
                Outcome outcome = Attempts.run(entry, way, port(way));
                // the login the pack sees: AUTH PLAIN splits on NUL, so "evNN\0<forgery>" arrives as the forgery
                // alone, and James' Username lower-cases it
                String seen = Attempts.jamesView(entry, way).map(v -> v[0]).orElse(marker).toLowerCase(java.util.Locale.ROOT);
                if (way == Way.POP3_USER_PASS) {
                    // James' POP3 decodes US-ASCII: each byte of a UTF-8 NEL or U+2028 arrives as U+FFFD
                    seen = new String(seen.getBytes(StandardCharsets.UTF_8), StandardCharsets.US_ASCII);
                }
                events.add(new Event(marker, way, outcome, "org.jamespack.auth.audit - login=" + LogSafe.of(seen) + " protocol="));
            }
        }
        // a pair's second attempt: the throttle's own log line with a hostile login
        String marker = String.format("ev%02d", n);
        Entry twice = entry(marker + PAYLOADS.get(0), "wrong-again");
        Attempts.run(twice, Way.SMTP_AUTH_PLAIN, james.smtpPort());
        Outcome throttled = Attempts.run(twice, Way.SMTP_AUTH_PLAIN, james.smtpPort());

        List<String> lines = LOGS.lines();
        for (Event e : events) {
            e.audit = lines.stream().filter(l -> l.contains(e.auditPrefix)).count();
            report.add(e.marker + " " + e.way + " -> " + e.outcome.reply() + ", audit lines " + e.audit);
        }
        // the forgery's head: LogSafe caps a login at 120 characters, so its tail (verdict=ACCEPTED) never reaches a log
        List<String> forged = lines.stream().filter(l -> l.contains(FORGED_AUDIT.substring(0, 23))).toList();
        System.out.printf("%n=== forged log lines through James: %d events, %d captured lines hold the forgery ===%n", events.size(),
            forged.size());
        report.forEach(System.out::println);
        forged.stream().limit(3).forEach(l -> System.out.println("  as logged: " + l));

        for (Event e : events) {
            assertThat(e.outcome.accepted()).as(e.marker + " " + e.way).isFalse();
            assertThat(e.audit).as("audit lines of %s over %s (%s)", e.marker, e.way, e.outcome.reply())
                .isEqualTo(e.answeredByPack() ? 1 : 0);
        }
        assertThat(throttled.reply()).startsWith("535");
        assertThat(lines).filteredOn(l -> l.contains("org.jamespack.auth.audit - login=" + marker)).hasSize(2)
            .anySatisfy(l -> assertThat(l).contains("detail=throttled"));
        assertThat(lines).filteredOn(l -> l.contains("login throttled") && l.contains(marker)).hasSize(1);

        // the message of each event; the capture appends James' MDC, whose "user" (POP3) and "login-user" (IMAP) hold
        // the raw login, CR and LF included: James' own logging context, printed only by a pattern with %X or %mdc,
        // which no sample's logback.xml has (README, troubleshooting)
        assertThat(forged).as("lines holding the forgery").isNotEmpty()
            .allSatisfy(l -> assertThat(RAW_CONTROL.matcher(message(l)).find()).as("raw control character in: " + l).isFalse())
            .allSatisfy(l -> assertThat(l).doesNotStartWith(FORGED_AUDIT.substring(0, 10)));
        assertThat(lines.stream().map(LogAndCacheThroughJamesTest::message)).as("log messages that begin a forged line")
            .noneMatch(l -> l.startsWith(FORGED_AUDIT.substring(0, 23)) || l.contains("\n" + FORGED_AUDIT.substring(0, 23))
                || l.contains("\r" + FORGED_AUDIT.substring(0, 23)));
        assertThat(forged.stream().map(LogAndCacheThroughJamesTest::message)).as("no forgery reaches a log as a verdict")
            .noneMatch(l -> l.contains("verdict=ACCEPTED"));
    }

    /** A captured line without the MDC the capture appends. */
    private static String message(String line) {
        int mdc = line.indexOf(" mdc={");
        return mdc < 0 ? line : line.substring(0, mdc);
    }

    @Test
    void webAdminInvalidationShouldStopTheOldPasswordByEveryLoginFormWhenOneFormIsInvalidated() throws Exception {
        java.net.InetAddress from = java.net.InetAddress.getByName("127.0.0.31");
        String alice = HostileCorpus.ALICE;
        String old = HostileCorpus.ALICE_PASSWORD;
        assertThat(imapLogin(from, "alice", old)).contains("OK LOGIN");
        assertThat(smtpLogin(from, alice, old)).startsWith("235");
        long cached = cacheEntries();
        String dn = "uid=alice," + InMemoryLdap.PEOPLE_DN;
        String fresh = "Alice-New-Secret-2027";
        LDAP.modify(dn, "userPassword", InMemoryLdap.ssha(fresh));

        // the price of positiveTtl: the old password still works from the cache, by both forms
        String oldImapBefore = imapLogin(from, "alice", old);
        String oldSmtpBefore = smtpLogin(from, alice, old);
        java.net.http.HttpResponse<String> deleted = HTTP.send(java.net.http.HttpRequest.newBuilder(webAdmin("/authpack/cache/users/alice"))
            .DELETE().timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        // the new password first: this class's throttle penalises a pair from its first failure
        String newImap = imapLogin(from, "alice", fresh);
        String newSmtp = smtpLogin(from, alice, fresh);
        String oldImapAfter = imapLogin(from, "alice", old);
        String oldSmtpAfter = smtpLogin(from, alice, old);

        System.out.printf("%n=== verdict cache by user through WebAdmin ===%ncached entries %d; old password before: IMAP %s, SMTP %s;"
            + "%nDELETE /authpack/cache/users/alice -> %d; old password after: IMAP %s, SMTP %s; new: IMAP %s, SMTP %s%n",
            cached, oldImapBefore, oldSmtpBefore, deleted.statusCode(), oldImapAfter, oldSmtpAfter, newImap, newSmtp);
        assertThat(cached).as("alice cached under two forms").isGreaterThanOrEqualTo(2);
        assertThat(oldImapBefore).contains("OK LOGIN");
        assertThat(oldSmtpBefore).startsWith("235");
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(oldImapAfter).as("old password by uid after the invalidation").contains("NO LOGIN");
        assertThat(oldSmtpAfter).as("old password by mail, a form the operator did not name").startsWith("535");
        assertThat(newImap).contains("OK LOGIN");
        assertThat(newSmtp).startsWith("235");
        assertThat(LOGS.lines()).anySatisfy(l -> assertThat(l).contains("WebAdmin dropped the 2 cached verdicts of the user of alice"));
        assertThat(deleted.body()).as("no password or hash in the answer").doesNotContain(old, fresh);
    }

    private static String imapLogin(java.net.InetAddress from, String login, String password) throws java.io.IOException {
        try (org.jamespack.it.clients.ImapClient imap = new org.jamespack.it.clients.ImapClient(james.imapPort(), from)) {
            return imap.login(login, password);
        }
    }

    private static String smtpLogin(java.net.InetAddress from, String login, String password) throws java.io.IOException {
        try (org.jamespack.it.clients.SmtpClient smtp = new org.jamespack.it.clients.SmtpClient(james.smtpPort(), from)) {
            smtp.ehlo();
            return smtp.authPlain(login, password);
        }
    }

    private static long cacheEntries() throws Exception {
        java.net.http.HttpResponse<String> r = HTTP.send(java.net.http.HttpRequest.newBuilder(webAdmin("/authpack/cache")).GET()
            .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("entries").asLong();
    }

    private static java.net.URI webAdmin(String path) {
        int port = james.server().getProbe(org.apache.james.utils.WebAdminGuiceProbe.class).getWebAdminPort().getValue();
        return java.net.URI.create("http://127.0.0.1:" + port + path);
    }

    private static int port(Way way) {
        switch (way) {
            case SMTP_AUTH_PLAIN:
            case SMTP_AUTH_LOGIN:
                return james.smtpPort();
            case IMAP_LOGIN:
                return james.imapPort();
            default:
                return james.pop3Port();
        }
    }

    private static Entry entry(String login, String password) {
        return new Entry(0, "forged-log-line", new Value(login.getBytes(StandardCharsets.UTF_8), false),
            new Value(password.getBytes(StandardCharsets.UTF_8), false));
    }

    /** One hostile login on one path, and the audit lines found for it. */
    private static final class Event {
        final String marker;
        final Way way;
        final Outcome outcome;
        final String auditPrefix;
        long audit;

        Event(String marker, Way way, Outcome outcome, String auditPrefix) {
            this.marker = marker;
            this.way = way;
            this.outcome = outcome;
            this.auditPrefix = auditPrefix;
        }

        /** The pack's refusals (James' own ones, e.g. 501 for an AUTH PLAIN it cannot decode, never reach it). */
        boolean answeredByPack() {
            String r = outcome.reply();
            switch (way) {
                case SMTP_AUTH_PLAIN:
                case SMTP_AUTH_LOGIN:
                    return r.startsWith("535 ") || r.startsWith("454 ");
                case IMAP_LOGIN:
                    return r.startsWith("h1 NO ");
                default:
                    return r.startsWith("-ERR Authentication failed") || r.startsWith("-ERR Unexpected error");
            }
        }
    }
}
