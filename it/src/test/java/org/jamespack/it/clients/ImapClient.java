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
        super(port);
        readLine(); // * OK greeting
    }

    public String login(String user, String password) throws IOException {
        return command("LOGIN " + quoted(user) + " " + quoted(password));
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
