package org.jamespack.relay.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * A Postfix lookup table in the source text format that {@code postmap(1)} reads for {@code hash:},
 * {@code lmdb:} and {@code texthash:} tables: the file an operator edits, not the {@code .db} built
 * from it. Immutable and thread-safe.
 *
 * <p>The format as {@code postmap(1)} documents it: one entry per logical line, {@code key whitespace
 * value}; a line that starts with white space continues the logical line before it; blank lines and
 * lines whose first non-blank character is {@code #} are ignored (they neither start nor end a logical
 * line). Keys are folded to lower case, as {@code postmap} does without {@code -f}. A key given twice
 * keeps its first value, as Postfix's {@code hash:} tables do, and the later line is reported. A key
 * without a value is reported and skipped.
 */
@Immutable
public final class PostfixMapFile {

    /**
     * One entry: the lower-case key, its value (continuation lines joined by a space) and the line it starts on.
     * The value of a password map holds a password, so it is not printed.
     */
    public record Entry(String key, String value, int line) {
        @Override
        public String toString() {
            return "Entry[key=" + key + ", line=" + line + "]";
        }
    }

    private final String file;
    private final Map<String, Entry> entries;
    private final List<RouteProblem> problems;

    private PostfixMapFile(String file, Map<String, Entry> entries, List<RouteProblem> problems) {
        this.file = file;
        this.entries = entries;
        this.problems = problems;
    }

    /** Reads {@code text}; {@code file} names it in problems. */
    public static PostfixMapFile parse(String text, String file) {
        List<RouteProblem> problems = new ArrayList<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (LogicalLines.Line logical : LogicalLines.of(text, file, problems)) {
            int lineNo = logical.number();
            String entry = logical.text();
            int space = 0;
            while (space < entry.length() && !Character.isWhitespace(entry.charAt(space))) {
                space++;
            }
            String key = entry.substring(0, space).toLowerCase(Locale.ROOT);
            String value = entry.substring(space).strip();
            if (value.isEmpty()) {
                // a password-map line without its key ("user:secret") would show the secret as the key: cut at the colon
                String shown = key.indexOf(':') < 0 ? key : key.substring(0, key.indexOf(':')) + ":…";
                problems.add(new RouteProblem(file, lineNo, shown, "no value: the format is 'key value' (postmap's \"expected format\")"));
                continue;
            }
            Entry first = entries.get(key);
            if (first != null) {
                problems.add(new RouteProblem(file, lineNo, key, "duplicate entry, the entry of line " + first.line()
                    + " is used (as in Postfix's hash: tables)"));
                continue;
            }
            entries.put(key, new Entry(key, value, lineNo));
        }
        return new PostfixMapFile(file, Map.copyOf(entries), List.copyOf(problems));
    }

    /** The file's name, as given. */
    public String file() {
        return file;
    }

    /** The entry of {@code key} (compared in lower case), if there is one. */
    public Optional<Entry> get(String key) {
        return Optional.ofNullable(entries.get(key.toLowerCase(Locale.ROOT)));
    }

    /** Every entry, in file order. */
    public List<Entry> entries() {
        return entries.values().stream().sorted(java.util.Comparator.comparingInt(Entry::line)).toList();
    }

    /** Lines that are no entry (a key without value, a duplicate, a stray continuation line). */
    public List<RouteProblem> problems() {
        return problems;
    }
}
