package org.jamespack.relay.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * Bounces through James, as RemoteDelivery 3.8.1's {@code Bouncer} does: with a bounce processor
 * configured, a copy holding only the failed recipients goes there with the attributes James'
 * {@code DSNBounce} reads ({@code delivery-error}, {@code delivery-error-code}); without one,
 * {@code MailetContext.bounce} sends James' own notice. Mail with the null sender is not bounced
 * (a bounce of a bounce), only logged. Delay warnings ({@link DelayNotice}) go from the null sender to the
 * sender through {@code MailetContext.sendMail}. Thread-safe.
 */
@ThreadSafe
public final class MailetBounces implements Bounces {

    /** Same names as {@code org.apache.james.transport.mailets.remote.delivery.Bouncer}'s. */
    public static final AttributeName DELIVERY_ERROR = AttributeName.of("delivery-error");
    public static final AttributeName DELIVERY_ERROR_CODE = AttributeName.of("delivery-error-code");

    private static final Logger LOGGER = LoggerFactory.getLogger(MailetBounces.class);

    private final MailetContext context;
    private final Optional<String> bounceProcessor;
    private final Optional<String> reportingMta;

    /**
     * @param reportingMta this server's name for the {@code Reporting-MTA} of delay warnings (the relay's HELO name),
     *                     or empty for the system's host name
     */
    public MailetBounces(MailetContext context, Optional<String> bounceProcessor, Optional<String> reportingMta) {
        this.context = context;
        this.bounceProcessor = bounceProcessor;
        this.reportingMta = reportingMta;
    }

    public MailetBounces(MailetContext context, Optional<String> bounceProcessor) {
        this(context, bounceProcessor, Optional.empty());
    }

    @Override
    public void bounce(Mail mail, Collection<MailAddress> recipients, String reason, int code) {
        if (!mail.hasSender()) {
            LOGGER.warn("mail {} has the null sender: no bounce for {} ({})", mail.getName(), recipients, reason);
            return;
        }
        Mail copy = null;
        try {
            copy = mail.duplicate();
            copy.setRecipients(recipients);
            if (bounceProcessor.isPresent()) {
                copy.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(reason)));
                if (code > 0) {
                    copy.setAttribute(new Attribute(DELIVERY_ERROR_CODE, AttributeValue.of(code)));
                }
                context.sendMail(copy, bounceProcessor.get());
            } else {
                context.bounce(copy, explanation(recipients, reason));
            }
        } catch (MessagingException e) {
            // the DSN could not be queued: the original is already accounted for, so say so loudly
            LOGGER.error("mail {}: bouncing to {} for {} failed; the sender is not told: {}", mail.getName(),
                mail.getMaybeSender().asString(), recipients, reason, e);
        } finally {
            if (copy != null) {
                LifecycleUtil.dispose(copy);
            }
        }
    }

    @Override
    public void delayed(Mail mail, Collection<MailAddress> recipients, String reason, Optional<Instant> retryUntil) {
        if (!mail.hasSender()) {
            LOGGER.info("mail {} has the null sender: no delay warning for {} ({})", mail.getName(), recipients, reason);
            return;
        }
        MailAddress sender = mail.getMaybeSender().get();
        String reportingMta = this.reportingMta.orElseGet(MailetBounces::localHostName);
        try {
            MailAddress postmaster = context.getPostmaster();
            String from = postmaster == null ? "MAILER-DAEMON@" + reportingMta : postmaster.asString();
            MimeMessage warning = DelayNotice.build(reportingMta, from, mail, recipients, reason, retryUntil, Instant.now());
            // from the null sender (RFC 3464 §2: a DSN is never answered by another DSN), to the original sender only
            context.sendMail(MailAddress.nullSender(), List.of(sender), warning);
            LOGGER.info("mail {}: delay warning sent to {} for {}", mail.getName(), sender.asString(), recipients);
        } catch (MessagingException e) {
            LOGGER.error("mail {}: the delay warning to {} for {} could not be sent: {}", mail.getName(), sender.asString(),
                recipients, reason, e);
        }
    }

    /** This host's name as the system says it, for {@code Reporting-MTA} when the relay has no HELO name. */
    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static String explanation(Collection<MailAddress> recipients, String reason) {
        StringBuilder s = new StringBuilder();
        s.append("I'm afraid I wasn't able to deliver your message to the following addresses.\n");
        s.append("This is a permanent error; I've given up.\n\n");
        for (MailAddress a : recipients) {
            s.append(a.asString()).append('\n');
        }
        s.append('\n').append(reason).append('\n');
        return s.toString();
    }
}
