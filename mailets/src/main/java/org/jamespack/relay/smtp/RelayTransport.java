package org.jamespack.relay.smtp;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import org.eclipse.angus.mail.smtp.SMTPTransport;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import net.jcip.annotations.NotThreadSafe;

/**
 * Angus' SMTP client with the three things it cannot be told through properties. Not thread-safe: one
 * {@link RelayConnection} drives it (Angus' own methods lock the transport; the envelope set here belongs to the message
 * being sent).
 * <ul>
 * <li>The reply to the final {@code .} is awaited for {@code dataEndTimeout}, not the per-reply read time-out: RFC 5321
 *     4.5.3.2.6 asks for 10 minutes, because the server may be filtering the message, and a client that gives up earlier
 *     sends the message again later although the server may have taken it: a duplicate. The socket time-out is raised
 *     for that one read and put back afterwards.</li>
 * <li>Parameters of {@code MAIL FROM} and of each {@code RCPT TO} are set per message and per recipient
 *     ({@link Envelope}): Angus has one {@code NOTIFY} for all recipients, no {@code ORCPT}, {@code SIZE} or
 *     {@code ENVID}, and adds {@code SMTPUTF8} to every transaction once UTF-8 is allowed at all.</li>
 * <li>Commands with non-ASCII addresses go out as UTF-8 (RFC 6531) while the session keeps
 *     {@code mail.mime.allowutf8} off, so that message headers are passed on byte for byte rather than decoded and
 *     encoded again as UTF-8.</li>
 * </ul>
 */
@NotThreadSafe
final class RelayTransport extends SMTPTransport {

    /** What the next transaction adds to its commands: parameters after {@code MAIL FROM:<…>} and after each recipient's. */
    record Envelope(String mailParameters, Map<String, String> recipientParameters) {

        static final Envelope NONE = new Envelope("", Map.of());

        Envelope {
            recipientParameters = Map.copyOf(recipientParameters);
        }
    }

    private final RelaySockets.Slot sockets;
    private final Duration readTimeout;
    private final Duration dataEndTimeout;
    private Envelope envelope = Envelope.NONE;

    RelayTransport(Session session, URLName url, RelaySockets.Slot sockets, Duration readTimeout, Duration dataEndTimeout) {
        super(session, url);
        this.sockets = sockets;
        this.readTimeout = readTimeout;
        this.dataEndTimeout = dataEndTimeout;
    }

    /** The parameters of the next transaction's commands (keys of recipient parameters: addresses in lower case). */
    void envelope(Envelope next) {
        this.envelope = next;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        Socket socket = sockets.socket();
        if (socket == null) {
            super.finishData();
            return;
        }
        socket.setSoTimeout(millis(dataEndTimeout));
        try {
            super.finishData();
        } finally {
            restore(socket);
        }
    }

    private void restore(Socket socket) {
        try {
            socket.setSoTimeout(millis(readTimeout));
        } catch (SocketException e) {
            // the socket is closed already (the server hung up): no later read will use it
            return;
        }
    }

    @Override
    protected void sendCommand(String cmd) throws MessagingException {
        String line = cmd;
        String upper = cmd.toUpperCase(Locale.ROOT);
        if (upper.startsWith("MAIL FROM:")) {
            // Angus adds SMTPUTF8 whenever the session allows UTF-8; the envelope says when this message needs it
            line = cmd.replace(" SMTPUTF8", "") + envelope.mailParameters();
        } else if (upper.startsWith("RCPT TO:")) {
            int open = cmd.indexOf('<');
            int close = cmd.lastIndexOf('>');
            if (open >= 0 && close > open) {
                String address = cmd.substring(open + 1, close).toLowerCase(Locale.ROOT);
                line = cmd + envelope.recipientParameters().getOrDefault(address, "");
            }
        }
        super.sendCommand(wire(line));
    }

    /**
     * The command as Angus' ASCII path will write it: each char becomes one byte, so a string holding the UTF-8 bytes of
     * the command (one char per byte) goes out as UTF-8. Pure ASCII commands are unchanged.
     */
    private static String wire(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) > 0x7f) {
                return new String(line.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return line;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
