package org.jamespack.relay.smtp;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import org.jamespack.relay.smtp.FailureClassifier.Phase;

import net.jcip.annotations.Immutable;

/**
 * The ESMTP parameters of one transaction, from what the smarthost offered in its EHLO reply, or why the message must not
 * be sent to it at all. Stateless and thread-safe.
 * <ul>
 * <li>{@code SIZE} (RFC 1870): the message's size goes with {@code MAIL FROM}; a message larger than the smarthost's
 *     announced maximum is refused here with {@code 552 5.3.4} instead of being uploaded to be refused after the
 *     upload (and its bounce comes at once: a fixed limit does not change on retry).</li>
 * <li>{@code SMTPUTF8} (RFC 6531): asked for when an envelope address is not ASCII; a smarthost without it cannot take
 *     the message, so it is refused with {@code 553 5.6.7} (permanent, bounced), never sent with the addresses mangled.
 *     Non-ASCII header fields alone do not ask for it: they go out byte for byte, as before.</li>
 * <li>{@code BODY=8BITMIME} (RFC 6152) when the message holds 8-bit bytes and the smarthost offers it.</li>
 * <li>DSN (RFC 3461): {@code RET} and {@code ENVID} with {@code MAIL FROM}, {@code NOTIFY} and {@code ORCPT} with each
 *     {@code RCPT TO}, as the sender gave them, when the smarthost offers DSN. Left out: an {@code ENVID} that is not
 *     valid xtext, and an {@code ORCPT} that is not ASCII (its RFC 6533 {@code utf-8} form is not produced).</li>
 * </ul>
 */
@Immutable
final class EnvelopeParameters {

    /** The parameters, or the refusal of the whole message. */
    sealed interface Outcome permits Send, Refuse {
    }

    record Send(RelayTransport.Envelope envelope) implements Outcome {
    }

    record Refuse(SmtpFailure failure) implements Outcome {
    }

    private EnvelopeParameters() {
    }

    /**
     * @param offers   whether the smarthost offered an extension (EHLO keyword)
     * @param sizeLimit the smarthost's {@code SIZE} parameter, if any
     */
    static Outcome of(String smarthost, String from, List<String> recipients, byte[] message, long size, DsnRequest dsn,
                      Predicate<String> offers, Optional<String> sizeLimit) {
        long limit = sizeLimit.map(EnvelopeParameters::number).orElse(0L);
        if (limit > 0 && size > limit) {
            return new Refuse(new SmtpFailure(Phase.MAIL, SmtpReply.parse("552 5.3.4 Message size " + size
                + " exceeds the fixed maximum message size " + limit + " of " + smarthost), false, "message of " + size
                + " bytes larger than " + smarthost + " takes (SIZE " + limit + "); not sent"));
        }
        boolean utf8 = !ascii(from) || recipients.stream().anyMatch(r -> !ascii(r));
        if (utf8 && !offers.test("SMTPUTF8")) {
            return new Refuse(new SmtpFailure(Phase.MAIL, SmtpReply.parse("553 5.6.7 Non-ASCII addresses need SMTPUTF8, which "
                + smarthost + " does not offer"), false, smarthost + " does not offer SMTPUTF8, needed for a non-ASCII address; "
                + "not sent"));
        }
        StringBuilder mail = new StringBuilder();
        if (offers.test("SIZE")) {
            mail.append(" SIZE=").append(size);
        }
        if (offers.test("8BITMIME") && eightBit(message)) {
            mail.append(" BODY=8BITMIME");
        }
        if (utf8) {
            mail.append(" SMTPUTF8");
        }
        Map<String, String> rcpt = new HashMap<>();
        if (offers.test("DSN")) {
            dsn.ret().map(r -> r.toUpperCase(Locale.ROOT)).filter(r -> r.equals("FULL") || r.equals("HDRS"))
                .ifPresent(r -> mail.append(" RET=").append(r));
            dsn.envId().filter(EnvelopeParameters::isXtext).ifPresent(e -> mail.append(" ENVID=").append(e));
            for (String r : recipients) {
                DsnRequest.Recipient p = dsn.recipients().get(r.toLowerCase(Locale.ROOT));
                if (p != null) {
                    rcpt.put(r.toLowerCase(Locale.ROOT), recipientParameters(p));
                }
            }
        }
        return new Send(new RelayTransport.Envelope(mail.toString(), rcpt));
    }

    private static String recipientParameters(DsnRequest.Recipient p) {
        StringBuilder s = new StringBuilder();
        Set<String> notify = new TreeSet<>();
        p.notifyOn().forEach(n -> notify.add(n.toUpperCase(Locale.ROOT)));
        boolean valid = notify.equals(Set.of("NEVER"))
            || (!notify.isEmpty() && Set.of("SUCCESS", "FAILURE", "DELAY").containsAll(notify));
        if (valid) {
            s.append(" NOTIFY=").append(String.join(",", notify));
        }
        p.orcpt().filter(EnvelopeParameters::ascii).ifPresent(o -> s.append(" ORCPT=rfc822;").append(xtext(o)));
        return s.toString();
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            // "SIZE" without a number or with junk: no limit announced (RFC 1870 allows SIZE alone)
            return 0;
        }
    }

    static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean eightBit(byte[] message) {
        for (byte b : message) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3461 4: xtext, printable ASCII but {@code +} and {@code =}, the rest as {@code +XX}. */
    static String xtext(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                out.append(c);
            } else {
                out.append('+').append(String.format(Locale.ROOT, "%02X", (int) c));
            }
        }
        return out.toString();
    }

    /** Whether {@code s} is valid xtext (RFC 3461 4), so that it can go on the wire as received. */
    static boolean isXtext(String s) {
        if (s.isEmpty() || s.length() > 100) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
