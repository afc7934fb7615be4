package org.jamespack.it.clients;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A bare SMTP client for AUTH tests: it returns the server's last reply line verbatim, e.g.
 * {@code 235 Authentication Successful} or {@code 454 4.7.0 Temporary authentication failure}.
 *
 * <p>Not thread-safe.
 */
public final class SmtpClient extends LineConnection {

    private final String greeting;

    public SmtpClient(int port) throws IOException {
        this(port, null);
    }

    /** Connects from the given local address (null: the default one). */
    public SmtpClient(int port, java.net.InetAddress local) throws IOException {
        super(port, local);
        greeting = reply().get(0);
    }

    public String greeting() {
        return greeting;
    }

    /** All lines of the reply to EHLO. */
    public List<String> ehlo() throws IOException {
        send("EHLO client.example.org");
        return reply();
    }

    /** AUTH PLAIN with the initial response: NUL login NUL password. */
    public String authPlain(String login, String password) throws IOException {
        return authPlainBytes(("\0" + login + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** AUTH PLAIN with the given bytes as the (base64-encoded) initial response. */
    public String authPlainBytes(byte[] response) throws IOException {
        send("AUTH PLAIN " + Base64.getEncoder().encodeToString(response));
        return last(reply());
    }

    /** AUTH LOGIN: the 334 prompts are answered in turn; returns the final reply line. */
    public String authLogin(String login, String password) throws IOException {
        send("AUTH LOGIN");
        String prompt = last(reply());
        if (!prompt.startsWith("334")) {
            return prompt;
        }
        send(Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8)));
        prompt = last(reply());
        if (!prompt.startsWith("334")) {
            return prompt;
        }
        send(Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8)));
        return last(reply());
    }

    /** Sends a command and returns the last line of its reply. */
    public String command(String line) throws IOException {
        send(line);
        return last(reply());
    }

    public void quit() throws IOException {
        send("QUIT");
        reply();
    }

    /** One whole reply: every {@code ddd-} line up to the {@code ddd } line. */
    public List<String> reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            if (line == null) {
                lines.add("<connection closed>");
                return lines;
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return lines;
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}
