package org.jamespack.relay.broker;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * The wire format of cloud_mdir_sync's credential server, which exim's
 * {@code ${readsocket}} speaks: a request {@code SMTP user@domain}, optionally ended by
 * {@code \n} or {@code \r\n} (exim sends the configured string as it is and half-closes), and
 * the answer, the raw XOAUTH2 initial response {@code user=U\x01auth=Bearer T\x01\x01} with no
 * line end (exim's readsocket keeps newlines, and the client base64-encodes every byte).
 * Stateless and thread-safe.
 */
@Immutable
final class BrokerProtocol {

    static final String VERB = "SMTP ";
    static final int MAX_ACCOUNT_LENGTH = 320;

    /**
     * RFC 6750 section 2.1 {@code b64token}. It also keeps out what would corrupt the answer on
     * its way through exim: {@code ^} (client_send's escape for NUL), control characters, and
     * the {@code \x01} separator.
     */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private BrokerProtocol() {
    }

    /** A request that could be read: the account asked for, or why the line is not a request. */
    sealed interface Request permits Valid, Invalid {
    }

    record Valid(String account) implements Request {
        Valid {
            Objects.requireNonNull(account, "account");
        }
    }

    /** {@code why} quotes no client bytes beyond a short, printable-only excerpt. */
    record Invalid(String why) implements Request {
        Invalid {
            Objects.requireNonNull(why, "why");
        }
    }

    /** Parses the bytes read up to the first newline (exclusive) or the end of input. */
    static Request parse(byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        if (end == 0) {
            return new Invalid("empty request");
        }
        String text = new String(line, 0, end, StandardCharsets.ISO_8859_1);
        if (!text.startsWith(VERB)) {
            return new Invalid("not an SMTP request: '" + excerpt(text) + "'");
        }
        String account = text.substring(VERB.length());
        if (!isAccountName(account)) {
            return new Invalid("malformed account: '" + excerpt(account) + "'");
        }
        return new Valid(account);
    }

    /** Printable ASCII without spaces, at most {@value #MAX_ACCOUNT_LENGTH} characters (RFC 5321's path limit is 256). */
    static boolean isAccountName(String account) {
        if (account.isEmpty() || account.length() > MAX_ACCOUNT_LENGTH) {
            return false;
        }
        for (int i = 0; i < account.length(); i++) {
            char c = account.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Whether the token can travel in the answer unchanged (see {@link #B64TOKEN}). */
    static boolean isWireSafe(Secret token) {
        char[] chars = token.chars();
        try {
            return B64TOKEN.matcher(java.nio.CharBuffer.wrap(chars)).matches();
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** {@code user=U\x01auth=Bearer T\x01\x01}; the caller zeroes the array after writing it. */
    static byte[] answer(String account, Secret token) {
        byte[] head = ("user=" + account + "\u0001auth=Bearer ").getBytes(StandardCharsets.US_ASCII);
        byte[] secret = token.utf8();
        byte[] out = new byte[head.length + secret.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(secret, 0, out, head.length, secret.length);
        out[out.length - 2] = 0x01;
        out[out.length - 1] = 0x01;
        Arrays.fill(secret, (byte) 0);
        return out;
    }

    /** The {@link BrokerSettings.RefusalReply#LINE} answer, {@code ERROR <code>\n}. */
    static byte[] errorLine(String code) {
        return ("ERROR " + code + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String excerpt(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 40 ? b + "…" : b.toString();
    }
}
