package org.jamespack.relay.graph;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import javax.mail.Address;
import javax.mail.Message.RecipientType;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.AddressException;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.jamespack.relay.smtp.SenderRewrite;

import net.jcip.annotations.Immutable;

/**
 * Makes a message ready for Graph's {@code sendMail} in MIME form: the request body is the message base64-encoded
 * ({@code Content-Type: text/plain}), and Graph sends to the addresses in the message's {@code To}, {@code Cc} and
 * {@code Bcc} headers, not to an envelope. Stateless and thread-safe.
 *
 * <p>So that Graph delivers to exactly the envelope recipients this attempt is for, the copy sent is adjusted when the
 * headers and the envelope differ: envelope recipients the headers do not name (blind copies, alias or list
 * expansions) are added as {@code Bcc}, which Exchange does not show to the recipients; header recipients not in the
 * envelope (delivered locally, by another route, or in an earlier attempt) are taken out of {@code To} and {@code Cc},
 * as otherwise Graph would send them a second copy. A message whose recipient headers cannot be read is refused: who
 * Graph would send it to cannot be known. The body is never touched.
 *
 * <p>Graph takes at most 4 MB per request, which leaves about 3 MB of message once base64-encoded; larger messages are
 * refused with a clear reason (Graph's way around the limit, an upload session per attachment, needs the
 * {@code Mail.ReadWrite} permission and a message taken apart, which this transport does not do).
 */
@Immutable
public final class GraphMessage {

    /** Graph's request size limit (4 MB) applied to the base64-encoded message. */
    public static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    static final String TOO_BIG = "Microsoft Graph takes at most 4 MB per sendMail request, about 3 MB of message once "
        + "base64-encoded; send it smaller (attachments as links), or through a route that uses SMTP";

    /** What {@link #prepare} made of a message. */
    public sealed interface Prepared permits Ready, Refused {
    }

    /**
     * The request body.
     *
     * @param body      the message, base64-encoded (ASCII)
     * @param adjusted  whether the recipient headers were changed to match the envelope
     */
    public record Ready(byte[] body, boolean adjusted) implements Prepared {
        public Ready {
            Objects.requireNonNull(body, "body");
        }
    }

    /** The message cannot go through Graph: {@code reason} for the DSN, {@code dsnCode} its SMTP-style code. */
    public record Refused(String reason, int dsnCode) implements Prepared {
        public Refused {
            Objects.requireNonNull(reason, "reason");
        }
    }

    private GraphMessage() {
    }

    /**
     * Prepares {@code mime} for the envelope {@code recipients}; {@code rewrite} replaces a {@code From} naming its
     * original by the route's account, as the SMTP transport does.
     */
    public static Prepared prepare(byte[] mime, List<String> recipients, Optional<SenderRewrite> rewrite) {
        if (encodedLength(mime.length) > MAX_REQUEST_BYTES) {
            return tooBig(mime.length);
        }
        MimeMessage message;
        List<InternetAddress> to;
        List<InternetAddress> cc;
        List<InternetAddress> bcc;
        try {
            message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
            to = addresses(message, "To");
            cc = addresses(message, "Cc");
            bcc = addresses(message, "Bcc");
        } catch (MessagingException e) {
            return new Refused("the message's To, Cc or Bcc header cannot be read (" + e.getMessage() + "), so whom "
                + "Microsoft Graph would send it to cannot be known", 554);
        }
        Set<String> envelope = new LinkedHashSet<>();
        recipients.forEach(r -> envelope.add(r.toLowerCase(Locale.ROOT)));
        Set<String> named = new LinkedHashSet<>();
        for (List<InternetAddress> list : List.of(to, cc, bcc)) {
            list.forEach(a -> named.add(key(a)));
        }
        boolean adjusted = !named.equals(envelope);
        try {
            if (adjusted) {
                List<InternetAddress> keptTo = kept(to, envelope);
                List<InternetAddress> keptCc = kept(cc, envelope);
                Set<String> visible = new LinkedHashSet<>();
                keptTo.forEach(a -> visible.add(key(a)));
                keptCc.forEach(a -> visible.add(key(a)));
                List<InternetAddress> blind = new ArrayList<>();
                for (String r : recipients) {
                    if (visible.add(r.toLowerCase(Locale.ROOT))) {
                        blind.add(new InternetAddress(r, false));
                    }
                }
                set(message, RecipientType.TO, keptTo, to.size());
                set(message, RecipientType.CC, keptCc, cc.size());
                set(message, RecipientType.BCC, blind, -1);
            }
            if (rewrite.isPresent()) {
                Address[] from = message.getFrom();
                if (from != null && from.length == 1 && from[0] instanceof InternetAddress a
                    && a.getAddress().equalsIgnoreCase(rewrite.get().original())) {
                    message.setFrom(new InternetAddress(rewrite.get().replacement()));
                }
            }
        } catch (AddressException e) {
            return new Refused("a recipient address cannot be written into the message: " + e.getMessage(), 553);
        } catch (MessagingException e) {
            return new Refused("the message cannot be adjusted for Microsoft Graph: " + e.getMessage(), 554);
        }
        byte[] out = mime;
        if (adjusted || rewrite.isPresent()) {
            ByteArrayOutputStream copy = new ByteArrayOutputStream(mime.length + 256);
            try {
                // parsed from bytes, so the message counts as saved: writeTo changes no header and re-encodes no body
                message.writeTo(copy);
            } catch (IOException | MessagingException e) {
                return new Refused("the message cannot be written for Microsoft Graph: " + e.getMessage(), 554);
            }
            out = copy.toByteArray();
            if (encodedLength(out.length) > MAX_REQUEST_BYTES) {
                return tooBig(out.length);
            }
        }
        return new Ready(Base64.getEncoder().encode(out), adjusted);
    }

    /** The size of {@code n} bytes base64-encoded without line breaks. */
    static long encodedLength(long n) {
        return (n + 2) / 3 * 4;
    }

    private static Refused tooBig(int size) {
        return new Refused("the message is " + size + " bytes: " + TOO_BIG, 552);
    }

    /** A header's addresses, groups expanded; parsed leniently, as mail clients write them. */
    private static List<InternetAddress> addresses(MimeMessage message, String header) throws MessagingException {
        String value = message.getHeader(header, ",");
        List<InternetAddress> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (InternetAddress a : InternetAddress.parseHeader(value, false)) {
            if (a.isGroup()) {
                InternetAddress[] members = a.getGroup(false);
                if (members != null) {
                    out.addAll(List.of(members));
                }
            } else if (a.getAddress() != null && !a.getAddress().isBlank()) {
                out.add(a);
            }
        }
        return out;
    }

    private static List<InternetAddress> kept(List<InternetAddress> list, Set<String> envelope) {
        List<InternetAddress> out = new ArrayList<>();
        for (InternetAddress a : list) {
            if (envelope.contains(key(a))) {
                out.add(a);
            }
        }
        return out;
    }

    /** Writes {@code list} into the header, or removes it; a header left whole ({@code original} entries) stays as written. */
    private static void set(MimeMessage message, RecipientType type, List<InternetAddress> list, int original)
        throws MessagingException {
        if (list.size() == original) {
            return;
        }
        if (list.isEmpty()) {
            message.removeHeader(type == RecipientType.TO ? "To" : type == RecipientType.CC ? "Cc" : "Bcc");
        } else {
            message.setRecipients(type, list.toArray(new Address[0]));
        }
    }

    private static String key(InternetAddress a) {
        return a.getAddress().toLowerCase(Locale.ROOT);
    }
}
