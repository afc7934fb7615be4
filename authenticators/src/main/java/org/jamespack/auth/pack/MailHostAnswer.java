package org.jamespack.auth.pack;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import net.jcip.annotations.Immutable;

/**
 * What IMAP and POP3 answer a right login whose mailbox lives on another host (a verdict with a
 * {@linkplain org.jamespack.auth.Verdict#mailHost() mail host}, qmail-ldap clustering): the client
 * is sent there instead of being shown an empty mailbox here. SMTP submission works on any host
 * and is not affected.
 *
 * <ul>
 * <li>IMAP, {@code referral} (the default): an RFC 2221 login referral,
 *     {@code NO [REFERRAL imap://dave%40example.org;AUTH=*@mail2.example.org/] LOGIN refused: …};
 *     the URL is RFC 5092's, the login percent-encoded (UTF-8), {@code AUTH=*} lets the client pick
 *     its mechanism. Clients that do not follow referrals still show the text, which names the host.</li>
 * <li>IMAP, {@code no}: a plain {@code NO LOGIN refused: …} naming the host, for clients that
 *     misread referrals.</li>
 * <li>POP3: {@code -ERR [SYS/PERM] …} naming the host (RFC 3206: a permanent condition; retrying
 *     here will not help).</li>
 * </ul>
 *
 * <p>The host comes from the verdict, which only holds DNS host names; the client's login goes
 * into the referral URL percent-encoded and nowhere else, so no client- or directory-shaped byte
 * reaches the protocol line raw. A right login that is sent elsewhere is not a failed login: no
 * failure count, no delay.
 *
 * <p>Immutable and thread-safe: constants and static functions.
 */
@Immutable
public final class MailHostAnswer {

    /** The {@code <authpack>} key that chooses the IMAP answer. */
    public static final String IMAP_KEY = "imapMailHostAnswer";

    /** How IMAP tells a client that its mailbox is on another host. */
    public enum ImapStyle {
        /** RFC 2221 login referral, with the host in the text too. */
        REFERRAL,
        /** A plain NO naming the host. */
        NO;

        /** The names the {@code <authpack>} key accepts. */
        public static final Map<String, ImapStyle> BY_CONFIG_NAME = Map.of("referral", REFERRAL, "no", NO);

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private MailHostAnswer() {
    }

    /**
     * The text after {@code TAG NO } for an IMAP {@code command} ({@code LOGIN}, {@code AUTHENTICATE}):
     * with {@link ImapStyle#REFERRAL}, {@code [REFERRAL url] COMMAND refused: …}.
     */
    public static String imap(ImapStyle style, String command, String login, String host) {
        String text = command + " refused: the mailbox of this account is on " + host;
        return style == ImapStyle.REFERRAL ? "[REFERRAL " + imapUrl(login, host) + "] " + text : text;
    }

    /** The text after {@code -ERR } of the POP3 answer: {@code [SYS/PERM] …}. */
    public static String pop3(String host) {
        return "[SYS/PERM] the mailbox of this account is on " + host + ": connect there";
    }

    /**
     * RFC 5092's {@code imap://enc-user;AUTH=*@host/} for {@code login}: every byte of its UTF-8
     * form but ALPHA, DIGIT, {@code - . _ ~} percent-encoded (so {@code @} is {@code %40}).
     */
    static String imapUrl(String login, String host) {
        StringBuilder url = new StringBuilder("imap://");
        for (byte b : login.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                || c == '~') {
                url.append((char) c);
            } else {
                url.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return url.append(";AUTH=*@").append(host).append('/').toString();
    }
}
