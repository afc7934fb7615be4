package org.jamespack.it.clients;

import java.io.IOException;

/**
 * A bare IMAP client for LOGIN tests: returns the tagged reply line, e.g.
 * {@code a1 OK LOGIN completed.} or {@code a1 NO LOGIN processing failed.}.
 *
 * <p>Not thread-safe.
 */
public final class ImapClient extends LineConnection {

    private int tag;

    public ImapClient(int port) throws IOException {
        this(port, null);
    }

    /** Connects from {@code local} (any 127/8 address reaches lo on Linux), for per-address tests. */
    public ImapClient(int port, java.net.InetAddress local) throws IOException {
        super(port, local);
        readLine(); // * OK greeting
    }

    private ImapClient(int port, java.net.InetAddress local, boolean implicitTls) throws IOException {
        super(port, local, implicitTls);
        readLine(); // * OK greeting
    }

    /**
     * IMAPS (port 993 of the samples) from {@code local} (a 127/8 address, so that the throttle's
     * per-address penalty of one test does not reach another), any certificate trusted: loopback tests only.
     */
    public static ImapClient tls(int port, java.net.InetAddress local) throws IOException {
        return new ImapClient(port, local, true);
    }

    /** AUTHENTICATE PLAIN with the initial response given raw (RFC 4959 SASL-IR), for malformed messages. */
    public String authenticatePlainInitial(byte[] message) throws IOException {
        return command("AUTHENTICATE PLAIN " + java.util.Base64.getEncoder().encodeToString(message));
    }

    public String login(String user, String password) throws IOException {
        return command("LOGIN " + quoted(user) + " " + quoted(password));
    }

    /** AUTHENTICATE PLAIN (RFC 4959 without SASL-IR): the continuation is answered with the response. */
    public String authenticatePlain(String user, String password) throws IOException {
        String t = "a" + (++tag);
        send(t + " AUTHENTICATE PLAIN");
        String line = readLine();
        if (line == null || !line.startsWith("+")) {
            return String.valueOf(line);
        }
        send(java.util.Base64.getEncoder().encodeToString(
            ("\0" + user + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        while ((line = readLine()) != null) {
            if (line.startsWith(t + " ")) {
                return line;
            }
        }
        return "<connection closed>";
    }

    /** Sends {@code command} with a fresh tag and returns the tagged reply line. */
    public String command(String command) throws IOException {
        String t = "a" + (++tag);
        send(t + " " + command);
        String line;
        while ((line = readLine()) != null) {
            if (line.startsWith(t + " ")) {
                return line;
            }
        }
        return "<connection closed>";
    }

    public void logout() throws IOException {
        command("LOGOUT");
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
