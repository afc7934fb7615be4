package org.jamespack.relay.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.activation.DataHandler;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimeMultipart;
import javax.mail.util.ByteArrayDataSource;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import net.jcip.annotations.Immutable;

/**
 * The delay warning of RFC 3464 for mail the relay holds: a {@code multipart/report; report-type=delivery-status}
 * with a text for the person, a {@code message/delivery-status} part ({@code Action: delayed}, {@code Status: 4.7.0})
 * and the original's header ({@code text/rfc822-headers}, RFC 6522 §3). James' own bounce paths ({@code DSNBounce},
 * {@code MailetContext.bounce}) only write failure notices, hence this one. Stateless and thread-safe.
 */
@Immutable
final class DelayNotice {

    /** RFC 3464 §2.3.4: 4.7.0 "other or undefined security status": the relay's own login is refused for now. */
    static final String STATUS = "4.7.0";

    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    /** A reply as the relay's failure details hold it: at the start or after ": ", three digits and a space or dash. */
    private static final Pattern SMTP_REPLY = Pattern.compile("(?:^|(?<=: ))[245]\\d\\d[ -].*");
    private static final int MAX_DIAGNOSTIC = 400;

    private DelayNotice() {
    }

    /**
     * The warning for {@code mail}, from {@code postmaster} to its sender.
     *
     * @param reportingMta this server's name, for {@code Reporting-MTA}
     * @param reason       why the mail waits (a failure detail, no secret)
     * @param retryUntil   when the relay gives the mail up, if it ever does
     */
    static MimeMessage build(String reportingMta, String postmaster, Mail mail, Collection<MailAddress> recipients, String reason,
                             Optional<Instant> retryUntil, Instant now) throws MessagingException {
        String sender = mail.getMaybeSender().asString();
        MimeMessage original = mail.getMessage();
        MimeMessage out = new MimeMessage(Session.getInstance(new Properties()));
        out.setFrom(new InternetAddress(postmaster));
        out.setRecipients(MimeMessage.RecipientType.TO, sender);
        String subject = original == null ? null : original.getSubject();
        out.setSubject("Delayed Mail (still being retried)" + (subject == null ? "" : ": " + subject), "UTF-8");
        out.setSentDate(Date.from(now));
        // RFC 3834: an automatic answer, so that autoresponders do not answer it
        out.setHeader("Auto-Submitted", "auto-replied");
        String messageId = original == null ? null : original.getMessageID();
        if (messageId != null) {
            out.setHeader("In-Reply-To", messageId);
            out.setHeader("References", messageId);
        }

        MimeMultipart report = new MimeMultipart("report; report-type=delivery-status");
        MimeBodyPart text = new MimeBodyPart();
        text.setText(humanText(recipients, reason, retryUntil), "UTF-8");
        report.addBodyPart(text);
        report.addBodyPart(part(deliveryStatus(reportingMta, recipients, reason, retryUntil, now), "message/delivery-status"));
        if (original != null) {
            report.addBodyPart(part(String.join("\r\n", Collections.list(original.getAllHeaderLines())) + "\r\n",
                "text/rfc822-headers"));
        }
        out.setContent(report);
        out.saveChanges();
        return out;
    }

    private static MimeBodyPart part(String content, String type) throws MessagingException {
        MimeBodyPart p = new MimeBodyPart();
        p.setDataHandler(new DataHandler(new ByteArrayDataSource(content.getBytes(StandardCharsets.UTF_8), type)));
        p.setHeader("Content-Type", type);
        return p;
    }

    private static String humanText(Collection<MailAddress> recipients, String reason, Optional<Instant> retryUntil) {
        StringBuilder s = new StringBuilder();
        s.append("This is an automatically generated Delivery Status Notification.\n\n");
        s.append("THIS IS A WARNING MESSAGE ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n");
        s.append("Your message has not been delivered yet to:\n\n");
        for (MailAddress a : recipients) {
            s.append("  ").append(a.asString()).append('\n');
        }
        s.append("\nThe mail account it is sent through cannot sign in to its mail provider at the moment, and the")
            .append(" administrator has been alerted. The message stays queued and goes out once the account works again");
        s.append(retryUntil.map(t -> "; if it cannot be sent by " + RFC_5322.format(t) + ", you will be told.")
            .orElse(".")).append("\n\n");
        s.append("The last problem was: ").append(oneLine(reason)).append('\n');
        return s.toString();
    }

    /** RFC 3464 §2.2 and §2.3: per-message fields, a blank line, per-recipient fields. */
    static String deliveryStatus(String reportingMta, Collection<MailAddress> recipients, String reason, Optional<Instant> retryUntil,
                                 Instant now) {
        StringBuilder s = new StringBuilder();
        s.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        for (MailAddress a : recipients) {
            s.append("\r\n");
            s.append("Final-Recipient: rfc822; ").append(a.asString()).append("\r\n");
            s.append("Action: delayed\r\n");
            s.append("Status: ").append(STATUS).append("\r\n");
            s.append("Diagnostic-Code: ").append(diagnostic(reason)).append("\r\n");
            s.append("Last-Attempt-Date: ").append(RFC_5322.format(now)).append("\r\n");
            retryUntil.ifPresent(t -> s.append("Will-Retry-Until: ").append(RFC_5322.format(t)).append("\r\n"));
        }
        return s.toString();
    }

    /** {@code smtp; REPLY} when the reason holds the smarthost's reply, else the relay's own words (RFC 3464 §2.3.6). */
    private static String diagnostic(String reason) {
        String line = oneLine(reason);
        Matcher m = SMTP_REPLY.matcher(line);
        String value = m.find() ? "smtp; " + m.group() : "X-XOAuth2-Relay; " + line;
        return value.length() > MAX_DIAGNOSTIC ? value.substring(0, MAX_DIAGNOSTIC) : value;
    }

    private static String oneLine(String text) {
        // a folded reply ("…,\r\n text") reads as one line with one space, as the server meant it
        return text.replaceAll("[ \\t]*[\\r\\n]+[ \\t]*", " ").replace('\t', ' ').replaceAll("\\p{Cntrl}", "").strip();
    }
}
