package org.jamespack.auth;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.ThreadSafe;

/**
 * Makes a value a client supplied (a login, an address, a SASL field, a WebAdmin path
 * parameter) safe to put in a log line: it can neither start a new line nor drive a terminal,
 * and it has a bounded length.
 *
 * <ul>
 * <li>C0 controls (CR, LF, NUL, TAB, ESC, …), DEL and the C1 range (U+0080..U+009F, which holds
 *     NEL and the 8-bit CSI) become {@code \xNN}; the backslash itself becomes {@code \x5c}, so
 *     a client that types the four characters {@code \x0a} cannot pass them off as an escaped
 *     line feed.</li>
 * <li>Characters that some viewers take for line breaks or that reorder the text shown (U+2028,
 *     U+2029, the bidirectional embeddings, overrides and isolates U+202A..U+202E,
 *     U+2066..U+2069), lone surrogates and U+FFFD become {@code \}{@code uNNNN}.</li>
 * <li>At most {@value #MAX_CHARS} characters of the value are kept; a longer one ends in
 *     {@code …(N chars)}. The cap counts input characters, so the output stays within a few
 *     times the cap even when every character is escaped.</li>
 * </ul>
 *
 * <p>Why one helper: a login holding CR/LF could otherwise write a fake
 * {@code org.jamespack.auth.audit … verdict=ACCEPTED} line wherever a logger prints it raw,
 * even before the input check has refused it. Every logger of the pack that prints client input goes
 * through here (throttle, cache, chain, the verifiers, the audit log, the James adapters).
 *
 * <p>Stateless and thread-safe.
 */
@ThreadSafe
public final class LogSafe {

    /** The most characters of one value that reach a log line. */
    public static final int MAX_CHARS = 120;

    private LogSafe() {
    }

    /** {@code value} escaped and capped at {@value #MAX_CHARS} characters; {@code "-"} when null. */
    public static String of(CharSequence value) {
        return of(value, MAX_CHARS);
    }

    /**
     * {@code value} escaped and capped at {@code maxChars} characters (for longer values an
     * operator asked to see, e.g. a SOAP trace); {@code "-"} when null.
     */
    public static String of(CharSequence value, int maxChars) {
        if (value == null) {
            return "-";
        }
        int n = Math.min(value.length(), maxChars);
        StringBuilder s = null;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (needsEscape(value, i, n, c)) {
                if (s == null) {
                    s = new StringBuilder(n + 16).append(value, 0, i);
                }
                if (c <= 0xff) {
                    s.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                } else {
                    s.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
                }
            } else if (s != null) {
                s.append(c);
            }
        }
        if (value.length() > maxChars) {
            if (s == null) {
                s = new StringBuilder(n + 16).append(value, 0, n);
            }
            s.append("…(").append(value.length()).append(" chars)");
        }
        return s == null ? value.toString() : s.toString();
    }

    /**
     * A wrapper whose {@code toString()} is {@link #of(CharSequence)}: for DEBUG and TRACE
     * statements on hot paths, so that nothing is escaped unless the line is written.
     */
    public static Object lazy(CharSequence value) {
        return new Lazy(value);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static boolean needsEscape(CharSequence v, int i, int end, char c) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80 && c <= 0x9f) {
            return true;
        }
        if (c == '\u2028' || c == '\u2029' || c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069'
            || c == '\uFFFD') {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            // a pair cut by the cap counts as lone: its half alone is not valid UTF-16
            return i + 1 >= end || !Character.isLowSurrogate(v.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(v.charAt(i - 1));
        }
        return false;
    }

    /** Escapes only when printed. */
    @Immutable
    private record Lazy(CharSequence value) {
        @Override
        public String toString() {
            return of(value);
        }
    }
}
