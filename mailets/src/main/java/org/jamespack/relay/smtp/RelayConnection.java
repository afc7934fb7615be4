package org.jamespack.relay.smtp;

import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.smtp.FailureClassifier.Phase;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import net.jcip.annotations.NotThreadSafe;

/**
 * One authenticated SMTP session to a route's smarthost, reused for several messages. Not
 * thread-safe: one delivery thread uses it at a time (the pool in {@code delivery} hands it out).
 * After a failed transaction the connection is closed rather than reused: the server's state is
 * then unknown.
 */
@NotThreadSafe
public final class RelayConnection implements AutoCloseable {

    private final Route route;
    private final Session session;
    private final RelayTransport transport;
    private boolean broken;
    private Instant lastUsed = Instant.now();
    private int messages;

    RelayConnection(Route route, Session session, RelayTransport transport) {
        this.route = route;
        this.session = session;
        this.transport = transport;
    }

    public Route route() {
        return route;
    }

    public Instant lastUsed() {
        return lastUsed;
    }

    /** Messages sent on this connection so far. */
    public int messages() {
        return messages;
    }

    /**
     * Sends {@code message} (RFC 5322 bytes) from {@code envelopeFrom} ("" for the null sender).
     * Recipients accepted at RCPT receive it once; refused ones are reported with their reply.
     */
    public SendResult send(String envelopeFrom, List<String> recipients, byte[] message) {
        return send(envelopeFrom, recipients, message, Optional.empty());
    }

    /**
     * As {@link #send(String, List, byte[])}, and when {@code fromHeader} is given replaces a
     * {@code From:} header that names {@code fromHeader.original()} by {@code fromHeader.replacement()}
     * (as exim's rewrite flags {@code Ffrs} do, for mailboxes that may not send as others).
     */
    public SendResult send(String envelopeFrom, List<String> recipients, byte[] message, Optional<SenderRewrite> fromHeader) {
        return send(envelopeFrom, recipients, message, fromHeader, DsnRequest.NONE);
    }

    /**
     * As {@link #send(String, List, byte[], Optional)}, passing the sender's DSN request on when the smarthost offers DSN,
     * with the ESMTP parameters {@link EnvelopeParameters} chooses. A message the smarthost cannot take (larger than its
     * {@code SIZE}, non-ASCII addresses without {@code SMTPUTF8}) fails with a permanent reply before anything is sent,
     * and the connection stays usable.
     */
    public SendResult send(String envelopeFrom, List<String> recipients, byte[] message, Optional<SenderRewrite> fromHeader,
                           DsnRequest dsn) {
        lastUsed = Instant.now();
        long size = message.length + fromHeader.map(r -> (long) r.replacement().length()).orElse(0L);
        EnvelopeParameters.Outcome parameters = EnvelopeParameters.of(route.smarthost(), envelopeFrom, recipients, message, size,
            dsn, transport::supportsExtension, Optional.ofNullable(transport.getExtensionParameter("SIZE")));
        if (parameters instanceof EnvelopeParameters.Refuse refuse) {
            return new SendResult(List.of(), Map.of(), Optional.of(refuse.failure()));
        }
        transport.envelope(((EnvelopeParameters.Send) parameters).envelope());
        messages++;
        Address[] addresses;
        try {
            addresses = new Address[recipients.size()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = new InternetAddress(recipients.get(i), false);
            }
        } catch (AddressException e) {
            return new SendResult(List.of(), Map.of(), Optional.of(new SmtpFailure(Phase.RCPT, SmtpReply.parse("553 5.1.3 "
                + e.getMessage()), false, "bad recipient address: " + e.getMessage())));
        }
        try {
            SMTPMessage msg = new SMTPMessage(session, new ByteArrayInputStream(message));
            msg.setEnvelopeFrom(envelopeFrom.isEmpty() ? "<>" : envelopeFrom);
            if (fromHeader.isPresent()) {
                Address[] from = msg.getFrom();
                if (from != null && from.length == 1 && from[0] instanceof InternetAddress
                    && ((InternetAddress) from[0]).getAddress().equalsIgnoreCase(fromHeader.get().original())) {
                    msg.setFrom(new InternetAddress(fromHeader.get().replacement()));
                }
            }
            transport.sendMessage(msg, addresses);
            return new SendResult(recipients, Map.of(), Optional.empty());
        } catch (SendFailedException e) {
            broken = true;
            return partial(recipients, e);
        } catch (MessagingException e) {
            broken = true;
            String last = transport.getLastServerResponse();
            boolean io = SmtpConnector.causedByIo(e);
            return new SendResult(List.of(), Map.of(), Optional.of(new SmtpFailure(Phase.DATA,
                io ? SmtpReply.parse("") : SmtpReply.parse(last == null ? "" : last), false,
                route.smarthost() + ": " + SmtpConnector.describe(e))));
        }
    }

    private SendResult partial(List<String> recipients, SendFailedException e) {
        Map<String, SmtpReply> refused = new HashMap<>();
        for (Exception x = e; x instanceof MessagingException; x = ((MessagingException) x).getNextException()) {
            if (x instanceof SMTPAddressFailedException) {
                SMTPAddressFailedException a = (SMTPAddressFailedException) x;
                refused.put(key(a.getAddress().getAddress(), recipients), SmtpReply.parse(a.getMessage()));
            }
            if (((MessagingException) x).getNextException() == x) {
                break;
            }
        }
        List<String> delivered = new ArrayList<>();
        if (e.getValidSentAddresses() != null) {
            for (Address a : e.getValidSentAddresses()) {
                delivered.add(key(((InternetAddress) a).getAddress(), recipients));
            }
        }
        Set<String> rest = new LinkedHashSet<>(recipients);
        rest.removeAll(delivered);
        rest.removeAll(refused.keySet());
        Optional<SmtpFailure> failure = Optional.empty();
        if (!rest.isEmpty()) {
            Phase phase = phase(e);
            String reply = e instanceof SMTPSendFailedException || e instanceof SMTPSenderFailedException
                ? String.valueOf(e.getMessage()) : String.valueOf(transport.getLastServerResponse());
            SmtpReply parsed = SmtpReply.parse(reply);
            if (parsed.code() < 0) {
                parsed = SmtpReply.parse(String.valueOf(transport.getLastServerResponse()));
            }
            failure = Optional.of(new SmtpFailure(phase, parsed, false, route.smarthost() + ": " + parsed));
        }
        return new SendResult(delivered, refused, failure);
    }

    private static Phase phase(SendFailedException e) {
        if (e instanceof SMTPSenderFailedException) {
            return Phase.MAIL;
        }
        if (e instanceof SMTPSendFailedException) {
            String cmd = String.valueOf(((SMTPSendFailedException) e).getCommand()).toUpperCase(Locale.ROOT);
            if (cmd.startsWith("MAIL")) {
                return Phase.MAIL;
            }
            if (cmd.startsWith("RCPT")) {
                return Phase.RCPT;
            }
        }
        return Phase.DATA;
    }

    /** The recipient as the caller spelt it (servers may change case). */
    private static String key(String address, List<String> recipients) {
        for (String r : recipients) {
            if (r.equalsIgnoreCase(address)) {
                return r;
            }
        }
        return address.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the connection may go back to the pool without a NOOP: no transaction on it failed, so the
     * server's last word was a 2xx. The NOOP of {@link #isUsable} is left to the next reuse, which needs it
     * anyway (the server may drop an idle connection): one round trip per message instead of two.
     */
    public boolean mayKeep() {
        return !broken;
    }

    /** Whether the connection can take another message (not failed, still answering NOOP). */
    public boolean isUsable() {
        return !broken && transport.isConnected();
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (MessagingException e) {
            // closing a connection that is already gone: nothing left to release
            broken = true;
        }
    }
}
