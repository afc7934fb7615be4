package org.jamespack.it.clients;

import java.io.IOException;

/**
 * A bare POP3 client for USER/PASS tests: returns the reply line to PASS verbatim.
 *
 * <p>Not thread-safe.
 */
public final class Pop3Client extends LineConnection {

    public Pop3Client(int port) throws IOException {
        super(port);
        readLine(); // +OK greeting
    }

    /** Connects from {@code local} (any 127/8 address reaches lo on Linux), for per-address tests. */
    public Pop3Client(int port, java.net.InetAddress local) throws IOException {
        super(port, local);
        readLine(); // +OK greeting
    }

    /** USER then PASS; the reply to PASS (or to USER when that already failed). */
    public String login(String user, String password) throws IOException {
        send("USER " + user);
        String reply = readLine();
        if (reply == null || !reply.startsWith("+OK")) {
            return String.valueOf(reply);
        }
        send("PASS " + password);
        return String.valueOf(readLine());
    }

    public String command(String line) throws IOException {
        send(line);
        return String.valueOf(readLine());
    }

    public void quit() throws IOException {
        send("QUIT");
        readLine();
    }
}
