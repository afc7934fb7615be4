package org.jamespack.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.hostile.Attempts.Outcome;
import org.jamespack.it.hostile.Attempts.Way;
import org.jamespack.it.hostile.HostileCorpus.Entry;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hostile-input suite: every entry of {@code hostile/corpus.txt} through a real James 3.8.1
 * over SMTP AUTH PLAIN, SMTP AUTH LOGIN, IMAP LOGIN and POP3 USER/PASS, against the backend
 * configuration of the subclass (one James per class). Expected: no login accepted; every reply
 * a proper protocol reply with no exception text, the connection usable afterwards or cleanly
 * closed; no password check at the backend for an empty password; no corpus password in any
 * log line of the JVM.
 *
 * <p>No throttle is configured: its failure delay (2 s by default) would make some 1 200
 * failed logins per backend take forty minutes, and it changes no answer. Attempts run one
 * after another: the backend counters read around the empty-password phase must see nothing
 * else. Not thread-safe; JUnit runs it on one thread.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class HostileInputSuite {

    /** Passwords shorter than this are not searched for in the logs: any log would hold them by chance. */
    static final int MIN_SEARCHED_PASSWORD = 4;

    @RegisterExtension
    @Order(0)
    static final CapturedLogs LOGS = new CapturedLogs();

    static final HostileCorpus CORPUS = HostileCorpus.load();

    abstract PackJamesExtension james();

    /** Password checks counted at the backend server (binds, password reads, logons). */
    abstract LongSupplier passwordChecksAtBackend();

    /** What the configuration is, for the printed summary. */
    abstract String configuration();

    @Test
    @Order(1)
    void fixtureUsersShouldLogInWithTheirRightPasswordOnEveryPath() throws Exception {
        // the control: a suite that refuses everything proves nothing
        for (String[] user : new String[][] {{HostileCorpus.ALICE, HostileCorpus.ALICE_PASSWORD},
            {HostileCorpus.BOB, HostileCorpus.BOB_PASSWORD}, {HostileCorpus.CAROL, HostileCorpus.CAROL_PASSWORD}}) {
            try (SmtpClient smtp = new SmtpClient(james().smtpPort())) {
                assertThat(smtp.ehlo()).anyMatch(l -> l.contains("AUTH"));
                assertThat(smtp.authPlain(user[0], user[1])).as("SMTP AUTH PLAIN of %s", user[0]).startsWith("235");
            }
            try (SmtpClient smtp = new SmtpClient(james().smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authLogin(user[0], user[1])).as("SMTP AUTH LOGIN of %s", user[0]).startsWith("235");
            }
            try (org.jamespack.it.clients.ImapClient imap = new org.jamespack.it.clients.ImapClient(james().imapPort())) {
                // measured: James 3.8.1 answers "BAD LOGIN failed. IO failure." to an 8-bit LOGIN literal,
                // so carol's non-ASCII password reaches IMAP through AUTHENTICATE PLAIN (base64 of UTF-8)
                String plain = java.util.Base64.getEncoder().encodeToString(("\0" + user[0] + "\0" + user[1])
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(imap.command("AUTHENTICATE PLAIN " + plain)).as("IMAP AUTHENTICATE PLAIN of %s", user[0])
                    .startsWith("a1 OK");
            }
            if (user[1].chars().allMatch(c -> c < 0x80)) {
                // measured: James 3.8.1 reads POP3 lines as US-ASCII (RFC 1939), carol's é cannot pass
                try (Pop3Client pop = new Pop3Client(james().pop3Port())) {
                    assertThat(pop.login(user[0], user[1])).as("POP3 of %s", user[0]).startsWith("+OK");
                }
            }
        }
    }

    @Test
    @Order(2)
    void corpusShouldBeRefusedProperlyWithoutBackendCallsForEmptyPasswordsAndWithoutLoggedPasswords() {
        assertThat(CORPUS.entries()).hasSizeGreaterThanOrEqualTo(200);
        long start = System.nanoTime();
        List<Entry> empty = CORPUS.entries().stream().filter(e -> e.password().isEmpty()).toList();
        List<Entry> rest = CORPUS.entries().stream().filter(e -> !e.password().isEmpty()).toList();

        long checksBefore = passwordChecksAtBackend().getAsLong();
        List<Outcome> outcomes = new ArrayList<>(runAll(empty));
        long checksForEmpty = passwordChecksAtBackend().getAsLong() - checksBefore;
        long checksBeforeRest = passwordChecksAtBackend().getAsLong();
        outcomes.addAll(runAll(rest));
        long checksForRest = passwordChecksAtBackend().getAsLong() - checksBeforeRest;
        long millis = (System.nanoTime() - start) / 1_000_000;

        LogSearch logs = LogSearch.of(CORPUS, LOGS.lines());
        print(outcomes, millis, checksForEmpty, checksForRest, logs);

        // an acceptance is allowed only where James' own parsing of the message (NUL fields of
        // AUTH PLAIN, trimmed POP3 arguments) already yields a real user's right login and
        // password: the pack then saw no hostile value at all; everything else must be refused
        assertThat(outcomes).as("accepted logins").filteredOn(Outcome::accepted)
            .allSatisfy(o -> assertThat(Attempts.jamesView(o.entry(), o.way()).filter(HostileInputSuite::isFixtureUser))
                .as("%s: accepted although James passed on something other than a user's right password", o).isPresent());
        assertThat(outcomes).as("improper replies or connections").filteredOn(o -> !o.proper() && !o.accepted()).isEmpty();
        assertThat(checksForEmpty).as("password checks at the backend for %d empty-password attempts", empty.size() * 4)
            .isZero();
        assertThat(logs.found()).as("corpus passwords found in %d captured log lines", logs.lines()).isEmpty();
    }

    static boolean isFixtureUser(String[] view) {
        return view[0].equalsIgnoreCase(HostileCorpus.ALICE) && view[1].equals(HostileCorpus.ALICE_PASSWORD)
            || view[0].equalsIgnoreCase(HostileCorpus.BOB) && view[1].equals(HostileCorpus.BOB_PASSWORD)
            || view[0].equalsIgnoreCase(HostileCorpus.CAROL) && view[1].equals(HostileCorpus.CAROL_PASSWORD);
    }

    private static HostileCorpus.Value utf8(String s) {
        return new HostileCorpus.Value(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    private List<Outcome> runAll(List<Entry> entries) {
        List<Outcome> out = new ArrayList<>();
        for (Entry e : entries) {
            for (Way way : Way.values()) {
                int port = switch (way) {
                    case SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN -> james().smtpPort();
                    case IMAP_LOGIN -> james().imapPort();
                    case POP3_USER_PASS -> james().pop3Port();
                };
                out.add(Attempts.run(e, way, port));
            }
        }
        return out;
    }

    private void print(List<Outcome> outcomes, long millis, long checksForEmpty, long checksForRest, LogSearch logs) {
        StringBuilder s = new StringBuilder();
        s.append("\n=== hostile-input suite: ").append(configuration()).append(" ===\n");
        s.append("corpus: ").append(CORPUS.entries().size()).append(" entries ").append(CORPUS.categories()).append('\n');
        Map<Way, Map<String, Integer>> codes = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            codes.computeIfAbsent(o.way(), w -> new TreeMap<>()).merge(o.code(), 1, Integer::sum);
        }
        long sent = outcomes.stream().filter(o -> o.skipped().isEmpty()).count();
        s.append("attempts: ").append(sent).append(" sent, ").append(outcomes.size() - sent).append(" skipped, in ")
            .append(millis).append(" ms\n");
        codes.forEach((way, c) -> s.append("  ").append(way).append(": ").append(c).append('\n'));
        s.append("password checks at the backend: ").append(checksForEmpty).append(" for empty passwords, ")
            .append(checksForRest).append(" for the rest\n");
        s.append("log search: ").append(logs.lines()).append(" lines, ").append(logs.searched()).append(" distinct passwords searched, ")
            .append(logs.skippedShort()).append(" skipped as shorter than ").append(MIN_SEARCHED_PASSWORD).append(" chars, ")
            .append(logs.skippedBlank()).append(" skipped as whitespace only, ").append(logs.skippedAsLogin())
            .append(" skipped as part of a corpus login (logins are logged); found: ").append(logs.found()).append('\n');
        outcomes.stream().filter(Outcome::accepted).forEach(o -> s.append("  accepted after James' own parsing: ").append(o)
            .append(Attempts.jamesView(o.entry(), o.way()).filter(HostileInputSuite::isFixtureUser).isPresent()
                ? " (James passed on a user's right password)" : " (HOSTILE VALUE ACCEPTED)").append('\n'));
        outcomes.stream().filter(o -> !o.proper() && !o.accepted()).limit(40).forEach(o -> s.append("  FAIL ").append(o).append('\n'));
        System.out.println(s);
    }
}
