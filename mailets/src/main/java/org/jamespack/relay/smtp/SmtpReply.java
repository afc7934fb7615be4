package org.jamespack.relay.smtp;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jcip.annotations.Immutable;

/**
 * One SMTP reply: the three-digit code, the RFC 3463 enhanced status code when the server sent
 * one, and the text of the last line. Immutable. Replies never carry our credentials (the server
 * writes them), so they may be logged and put in DSNs.
 */
@Immutable
public record SmtpReply(int code, Optional<String> enhanced, String text) {

    private static final Pattern LINE = Pattern.compile("^(\\d{3})[ -]?(?:([245]\\.\\d{1,3}\\.\\d{1,3})(?=\\s|$))?\\s*(.*)$");

    /** Parses the last line of a (possibly multi-line) reply; {@code code} -1 when it is not a reply. */
    public static SmtpReply parse(String reply) {
        String trimmed = reply == null ? "" : reply.strip();
        String[] lines = trimmed.split("\r?\n");
        String last = lines[lines.length - 1].strip();
        Matcher m = LINE.matcher(last);
        if (!m.matches()) {
            return new SmtpReply(-1, Optional.empty(), last);
        }
        return new SmtpReply(Integer.parseInt(m.group(1)), Optional.ofNullable(m.group(2)), m.group(3));
    }

    /** The enhanced code's class digit (2, 4 or 5), or the reply code's first digit without one. */
    public int statusClass() {
        return enhanced.map(e -> e.charAt(0) - '0').orElse(code / 100);
    }

    @Override
    public String toString() {
        return code + enhanced.map(e -> " " + e).orElse("") + (text.isEmpty() ? "" : " " + text);
    }
}
