package org.jamespack.it.hostile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import net.jcip.annotations.Immutable;

/**
 * Searches captured log lines for every password of the corpus. Skipped, and counted: passwords
 * shorter than {@link HostileInputSuite#MIN_SEARCHED_PASSWORD} characters, whitespace-only ones,
 * and those contained in a corpus login (logins are logged on purpose, in the audit line).
 * Raw-byte passwords are searched as a UTF-8 server decodes them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param lines         log lines searched
 * @param searched      distinct passwords searched
 * @param skippedShort  passwords too short to search
 * @param skippedBlank  whitespace-only passwords
 * @param skippedAsLogin passwords that are part of a corpus login
 * @param found         the corpus entries whose password was found (entry location only)
 */
@Immutable
record LogSearch(int lines, int searched, int skippedShort, int skippedBlank, int skippedAsLogin, List<String> found) {

    static LogSearch of(HostileCorpus corpus, List<String> logLines) {
        // logins are logged on purpose: the corpus's, and those James' own parsing makes of a
        // message (AUTH PLAIN with three NUL-separated fields takes the second for the login)
        List<String> logins = new ArrayList<>(corpus.entries().stream().map(e -> e.login().text()).toList());
        for (HostileCorpus.Entry e : corpus.entries()) {
            for (Attempts.Way way : Attempts.Way.values()) {
                // James' Username lower-cases what it is given, and only that form is logged: the
                // mixed-case original stays searched (so a right password taken for a login is still
                // found if it is ever logged as typed)
                Attempts.jamesView(e, way).ifPresent(v -> logins.add(v[0].toLowerCase(java.util.Locale.ROOT)));
            }
        }
        Set<String> done = new LinkedHashSet<>();
        int shortOnes = 0;
        int blank = 0;
        int asLogin = 0;
        List<String> found = new ArrayList<>();
        List<String> skippedAsLogin = new ArrayList<>();
        for (HostileCorpus.Entry e : corpus.entries()) {
            String password = e.password().text();
            if (!done.add(password)) {
                continue;
            }
            // raw bytes that decode to U+FFFD only carry no text a log line could show
            if (password.replace("\uFFFD", "").codePointCount(0, password.replace("\uFFFD", "").length())
                < HostileInputSuite.MIN_SEARCHED_PASSWORD) {
                shortOnes++;
                continue;
            }
            if (password.isBlank() || password.chars().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c)
                || c == '\u200b' || c == '\ufeff' || c == '\u180e')) {
                blank++;
                continue;
            }
            if (logins.stream().anyMatch(l -> l.contains(password))) {
                asLogin++;
                skippedAsLogin.add(e.toString());
                continue;
            }
            for (String line : logLines) {
                if (line.contains(password)) {
                    int at = line.indexOf(" - ");
                    found.add(e + " in a line of " + (at > 0 ? line.substring(0, at) : "?"));
                    break;
                }
            }
        }
        int searched = done.size() - shortOnes - blank - asLogin;
        System.out.println("log search: passwords not searched because a login holds them: " + skippedAsLogin);
        return new LogSearch(logLines.size(), searched, shortOnes, blank, asLogin, List.copyOf(found));
    }
}
