package org.jamespack.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import net.jcip.annotations.Immutable;

/**
 * The hostile-input corpus of {@code hostile/corpus.txt}: login/password pairs with a category,
 * as values that may hold any UTF-16 unit or raw (even non-UTF-8) bytes.
 *
 * <p>Immutable and thread-safe. The file format is described in its header; written by hand
 * because no library reads "text with raw bytes" escapes.
 */
@Immutable
public final class HostileCorpus {

    public static final String RESOURCE = "hostile/corpus.txt";

    /** The fixture users the corpus is written against: login, password (never logged). */
    public static final String ALICE = "alice@example.org";
    public static final String ALICE_PASSWORD = "Alice-Secret-2026";
    public static final String BOB = "bob@example.org";
    public static final String BOB_PASSWORD = "Bob-Pw-Zeta9";
    public static final String CAROL = "carol@example.org";
    /** "Crème-brûlée-7", NFC. */
    public static final String CAROL_PASSWORD = "Cr\u00e8me-br\u00fbl\u00e9e-7";

    private final List<Entry> entries;

    private HostileCorpus(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * One value of the corpus: the bytes a client sends, and the text a UTF-8 server reads.
     *
     * @param bytes the value on the wire (UTF-8 unless it was written with raw bytes)
     * @param raw   whether it holds raw bytes, possibly invalid UTF-8
     */
    @Immutable
    public record Value(byte[] bytes, boolean raw) {
        /** The value as a UTF-8 decoder reads it (invalid sequences become U+FFFD). */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        public boolean contains(char c) {
            for (byte b : bytes) {
                if (b == c) {
                    return true;
                }
            }
            return false;
        }

        public boolean isEmpty() {
            return bytes.length == 0;
        }
    }

    /**
     * One line of the corpus.
     *
     * @param line     its line number in the file, for messages
     * @param category its category
     * @param login    the login
     * @param password the password
     */
    @Immutable
    public record Entry(int line, String category, Value login, Value password) {
        /** Says where the entry is and what it is, never the password itself. */
        @Override
        public String toString() {
            return RESOURCE + ":" + line + " [" + category + "]";
        }
    }

    public static HostileCorpus load() {
        try (InputStream in = HostileCorpus.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<Entry> entries = new ArrayList<>();
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                if (fields.length != 3) {
                    throw new IllegalArgumentException(RESOURCE + ":" + (i + 1) + ": expected 3 TAB-separated fields, got " + fields.length);
                }
                entries.add(new Entry(i + 1, fields[0], decode(fields[1], i + 1), decode(fields[2], i + 1)));
            }
            return new HostileCorpus(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Entries per category, sorted by name. */
    public Map<String, Integer> categories() {
        Map<String, Integer> counts = new TreeMap<>();
        entries.forEach(e -> counts.merge(e.category(), 1, Integer::sum));
        return Collections.unmodifiableMap(counts);
    }

    static Value decode(String field, int line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean raw = false;
        int i = 0;
        while (i < field.length()) {
            char c = field.charAt(i);
            if (c != '\\') {
                int cp = field.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= field.length()) {
                throw new IllegalArgumentException(RESOURCE + ":" + line + ": lone backslash at the end of a field");
            }
            char e = field.charAt(i + 1);
            switch (e) {
                case 'x': {
                    out.write(Integer.parseInt(field.substring(i + 2, i + 4), 16));
                    raw = true;
                    i += 4;
                    break;
                }
                case '{': {
                    int star = field.indexOf('*', i);
                    int count = Integer.parseInt(field.substring(i + 2, star));
                    int close = field.indexOf('}', star + 2);
                    Value unit = decode(field.substring(star + 1, close), line);
                    for (int n = 0; n < count; n++) {
                        out.writeBytes(unit.bytes());
                    }
                    raw |= unit.raw();
                    i = close + 1;
                    break;
                }
                default: {
                    int[] consumed = new int[1];
                    String s = simpleEscape(field, i, consumed, line);
                    out.writeBytes(utf16ToUtf8(s));
                    i += consumed[0];
                }
            }
        }
        return new Value(out.toByteArray(), raw);
    }

    private static String simpleEscape(String field, int i, int[] consumed, int line) {
        char e = field.charAt(i + 1);
        consumed[0] = 2;
        switch (e) {
            case '\\':
                return "\\";
            case 't':
                return "\t";
            case 'r':
                return "\r";
            case 'n':
                return "\n";
            case '0':
                return "\0";
            case '"':
                return "\"";
            case 'u': {
                // a surrogate pair is written as two \\u escapes: read both so that UTF-8 gets one code point
                StringBuilder units = new StringBuilder();
                int j = i;
                while (j + 6 <= field.length() && field.startsWith("\\u", j)) {
                    units.append((char) Integer.parseInt(field.substring(j + 2, j + 6), 16));
                    j += 6;
                    if (!Character.isHighSurrogate(units.charAt(units.length() - 1))) {
                        break;
                    }
                }
                consumed[0] = j - i;
                return units.toString();
            }
            default:
                throw new IllegalArgumentException(RESOURCE + ":" + line + ": unknown escape \\" + e);
        }
    }

    private static byte[] utf16ToUtf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
