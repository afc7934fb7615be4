package org.jamespack.relay.route;

import java.util.ArrayList;
import java.util.List;

import net.jcip.annotations.Immutable;

/**
 * The logical lines of a route file as exim's {@code lsearch} and Postfix's {@code postmap}
 * read them: blank lines and lines starting with {@code #} (after white space) are skipped, and a
 * line starting with white space continues the entry before it (joined with one space).
 * Stateless and thread-safe.
 */
@Immutable
final class LogicalLines {

    /** One entry: the line it starts on (1-based) and its text, continuations joined, stripped. */
    record Line(int number, String text) {
    }

    private LogicalLines() {
    }

    /**
     * The entries of {@code text}; a continuation line with no entry before it is reported to
     * {@code problems} (naming {@code file} and its line) and skipped.
     */
    static List<Line> of(String text, String file, List<RouteProblem> problems) {
        List<Integer> starts = new ArrayList<>();
        List<StringBuilder> entries = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (entries.isEmpty()) {
                    problems.add(new RouteProblem(file, i + 1, "?",
                        "continuation line (starts with white space) without an entry before it"));
                } else {
                    entries.get(entries.size() - 1).append(' ').append(line.strip());
                }
                continue;
            }
            starts.add(i + 1);
            entries.add(new StringBuilder(line.strip()));
        }
        List<Line> result = new ArrayList<>(entries.size());
        for (int e = 0; e < entries.size(); e++) {
            result.add(new Line(starts.get(e), entries.get(e).toString()));
        }
        return result;
    }
}
