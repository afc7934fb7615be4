package org.jamespack.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.LineConnection;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.hostile.HostileCorpus.Entry;
import org.jamespack.it.hostile.HostileCorpus.Value;

import net.jcip.annotations.Immutable;

/**
 * One corpus entry sent through one of James' login paths on a fresh connection, with the
 * reply judged: accepted or not, a proper protocol reply or not, and the connection afterwards
 * still usable (a command of the same protocol answered) or cleanly closed.
 *
 * <p>Stateless and thread-safe; each call opens its own connection.
 */
@Immutable
final class Attempts {

    /** The login paths of James the suite drives. */
    enum Way {
        SMTP_AUTH_PLAIN, SMTP_AUTH_LOGIN, IMAP_LOGIN, POP3_USER_PASS
    }

    /**
     * What happened.
     *
     * @param entry    the corpus entry
     * @param way      the login path
     * @param skipped  why the entry cannot be expressed on this path, or empty
     * @param reply    the final reply line to the login (bytes as ISO-8859-1)
     * @param after    the reply to the follow-up command, or {@code <connection closed>}
     * @param accepted whether the login (or the follow-up) showed an authenticated session
     * @param proper   whether both replies are proper protocol replies (or a clean close)
     */
    record Outcome(Entry entry, Way way, String skipped, String reply, String after, boolean accepted, boolean proper) {
        /** The reply code or status word, e.g. {@code 535}, {@code NO}, {@code -ERR}, {@code closed}. */
        String code() {
            if (!skipped.isEmpty()) {
                return "skipped";
            }
            if (reply.startsWith("<connection")) {
                return "closed";
            }
            if (way == Way.IMAP_LOGIN) {
                String[] parts = reply.split(" ");
                return parts.length > 1 ? parts[1] : reply;
            }
            return reply.split(" ")[0];
        }

        @Override
        public String toString() {
            // the reply may echo nothing secret: James' replies never quote the password
            return entry + " " + way + ": " + (skipped.isEmpty() ? reply + " / then: " + after : "skipped (" + skipped + ")");
        }
    }

    static final String CLOSED = "<connection closed>";
    /**
     * 451 is James' own answer when its {@code Username} class refuses the login of AUTH LOGIN
     * (an IllegalArgumentException before any AuthHook runs; the connection is then closed):
     * a proper reply without exception text, which the pack cannot change.
     */
    private static final Pattern SMTP_REFUSAL = Pattern.compile("^(535|454|501|500|504|421|451)[ -].*");
    private static final Pattern SMTP_REPLY = Pattern.compile("^[2-5]\\d\\d[ -].*");
    private static final Pattern IMAP_REFUSAL = Pattern.compile("^h1 (NO|BAD) .*");
    private static final Pattern LEAK = Pattern.compile("(?i).*(exception|java\\.|\\bat org\\.|\\bat java\\.|stack ?trace).*");
    /** Longer values go to IMAP as literals: a quoted string of 64 KiB is not a line any server must take. */
    private static final int QUOTED_MAX = 4000;

    private Attempts() {
    }

    static Outcome run(Entry entry, Way way, int port) {
        try {
            switch (way) {
                case SMTP_AUTH_PLAIN:
                    return smtpPlain(entry, port);
                case SMTP_AUTH_LOGIN:
                    return smtpLogin(entry, port);
                case IMAP_LOGIN:
                    return imap(entry, port);
                default:
                    return pop3(entry, port);
            }
        } catch (IOException e) {
            // a reset or a time-out is neither a reply nor a clean close: reported as not proper
            return new Outcome(entry, way, "", "<" + e.getClass().getSimpleName() + ": " + e.getMessage() + ">", "", false, false);
        }
    }

    private static Outcome smtpPlain(Entry entry, int port) throws IOException {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.ehlo();
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            plain.write(0);
            plain.writeBytes(entry.login().bytes());
            plain.write(0);
            plain.writeBytes(entry.password().bytes());
            String reply = smtp.authPlainBytes(plain.toByteArray());
            return smtpOutcome(entry, Way.SMTP_AUTH_PLAIN, smtp, reply);
        }
    }

    private static Outcome smtpLogin(Entry entry, int port) throws IOException {
        try (SmtpClient smtp = new SmtpClient(port)) {
            smtp.ehlo();
            String reply = last(smtp.command("AUTH LOGIN"));
            if (reply.startsWith("334")) {
                smtp.send(Base64.getEncoder().encodeToString(entry.login().bytes()));
                reply = last(smtp.reply());
                if (reply.startsWith("334")) {
                    smtp.send(Base64.getEncoder().encodeToString(entry.password().bytes()));
                    reply = last(smtp.reply());
                }
            }
            return smtpOutcome(entry, Way.SMTP_AUTH_LOGIN, smtp, reply);
        }
    }

    private static Outcome smtpOutcome(Entry entry, Way way, SmtpClient smtp, String reply) throws IOException {
        boolean accepted = reply.startsWith("235");
        String after = reply.equals(CLOSED) ? CLOSED : afterCommand(() -> smtp.command("NOOP"));
        // after a refusal inside the AUTH LOGIN dialogue the server may still be in it: any reply shows it usable
        boolean proper = (SMTP_REFUSAL.matcher(reply).matches() || reply.equals(CLOSED))
            && (SMTP_REPLY.matcher(after).matches() || after.equals(CLOSED)) && noLeak(reply, after);
        return new Outcome(entry, way, "", reply, after, accepted, proper);
    }

    private static Outcome imap(Entry entry, int port) throws IOException {
        try (ImapClient imap = new ImapClient(port)) {
            Value login = entry.login();
            Value password = entry.password();
            String reply;
            if (quotable(login) && quotable(password)) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                line.writeBytes("h1 LOGIN ".getBytes(StandardCharsets.US_ASCII));
                quote(line, login);
                line.write(' ');
                quote(line, password);
                imap.sendBytes(line.toByteArray());
                reply = tagged(imap, "h1");
            } else {
                reply = literalLogin(imap, login, password);
            }
            // LIST is refused before authentication and answered after it: it shows a login the reply hid
            String after = reply.equals(CLOSED) || reply.startsWith("* BYE") ? CLOSED
                : afterCommand(() -> {
                    imap.send("h2 LIST \"\" \"\"");
                    return tagged(imap, "h2");
                });
            boolean accepted = reply.startsWith("h1 OK") || after.startsWith("h2 OK");
            boolean proper = (IMAP_REFUSAL.matcher(reply).matches() || reply.equals(CLOSED) || reply.startsWith("* BYE"))
                && (after.startsWith("h2 BAD ") || after.startsWith("h2 NO ") || after.equals(CLOSED)) && noLeak(reply, after);
            return new Outcome(entry, Way.IMAP_LOGIN, "", reply, after, accepted, proper);
        }
    }

    /**
     * LOGIN with 8-bit, CR/LF or long values as synchronising literals. Measured on James 3.8.1:
     * it sends the {@code +} continuation for the first literal of a command only and then waits
     * for the second literal's bytes without one, and it closes the connection on LITERAL+
     * ({@code {n+}}) in LOGIN; so the second literal is sent without waiting.
     */
    private static String literalLogin(ImapClient imap, Value login, Value password) throws IOException {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.writeBytes("h1 LOGIN ".getBytes(StandardCharsets.US_ASCII));
        if (quotable(login)) {
            quote(first, login);
            first.writeBytes((" {" + password.bytes().length + "}").getBytes(StandardCharsets.US_ASCII));
            imap.sendBytes(first.toByteArray());
            String go = imap.readLine();
            if (go == null || !go.startsWith("+")) {
                return go == null ? CLOSED : go;
            }
            imap.sendBytes(password.bytes());
            return tagged(imap, "h1");
        }
        first.writeBytes(("{" + login.bytes().length + "}").getBytes(StandardCharsets.US_ASCII));
        imap.sendBytes(first.toByteArray());
        String go = imap.readLine();
        if (go == null || !go.startsWith("+")) {
            return go == null ? CLOSED : go;
        }
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.writeBytes(login.bytes());
        if (quotable(password)) {
            rest.write(' ');
            quote(rest, password);
            imap.sendBytes(rest.toByteArray());
        } else {
            rest.writeBytes((" {" + password.bytes().length + "}").getBytes(StandardCharsets.US_ASCII));
            imap.sendBytes(rest.toByteArray());
            imap.sendBytes(password.bytes());
        }
        return tagged(imap, "h1");
    }

    private static Outcome pop3(Entry entry, int port) throws IOException {
        Value login = entry.login();
        Value password = entry.password();
        if (login.contains('\r') || login.contains('\n') || password.contains('\r') || password.contains('\n')) {
            // a line protocol cannot carry CR or LF inside an argument: the pieces would be commands of their own
            return new Outcome(entry, Way.POP3_USER_PASS, "CR or LF inside a USER/PASS argument", "", "", false, true);
        }
        try (Pop3Client pop = new Pop3Client(port)) {
            pop.sendBytes(concat("USER ", login));
            String user = String.valueOf(pop.readLine());
            String reply = user;
            if (user.startsWith("+OK")) {
                pop.sendBytes(concat("PASS ", password));
                reply = orClosed(pop.readLine());
            }
            String after = reply.equals(CLOSED) || user.equals("null") ? CLOSED : afterCommand(() -> orClosed(pop.command("STAT")));
            boolean accepted = (user.startsWith("+OK") && reply.startsWith("+OK")) || after.startsWith("+OK");
            boolean proper = (reply.startsWith("-ERR") || reply.equals(CLOSED)) && (after.startsWith("-ERR") || after.equals(CLOSED))
                && noLeak(reply, after);
            return new Outcome(entry, Way.POP3_USER_PASS, "", reply, after, accepted, proper);
        }
    }

    private static String orClosed(String line) {
        return line == null || line.equals("null") ? CLOSED : line;
    }

    private static byte[] concat(String command, Value v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(command.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(v.bytes());
        return out.toByteArray();
    }

    /** IMAP quoted strings are 7-bit (RFC 3501): 8-bit values go as literals, or James answers BAD before any check. */
    private static boolean quotable(Value v) {
        for (byte b : v.bytes()) {
            if (b < 0 || b == '\r' || b == '\n') {
                return false;
            }
        }
        return v.bytes().length <= QUOTED_MAX;
    }

    private static void quote(ByteArrayOutputStream line, Value v) {
        line.write('"');
        for (byte b : v.bytes()) {
            if (b == '"' || b == '\\') {
                line.write('\\');
            }
            line.write(b);
        }
        line.write('"');
    }

    private static String tagged(LineConnection c, String tag) throws IOException {
        String line;
        while ((line = c.readLine()) != null) {
            if (line.startsWith(tag + " ") || line.startsWith("* BYE")) {
                return line;
            }
        }
        return CLOSED;
    }

    private static String last(String line) {
        return line;
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    private static boolean noLeak(String... replies) {
        for (String r : replies) {
            if (LEAK.matcher(r).matches()) {
                return false;
            }
        }
        return true;
    }

    /** A follow-up command; a connection the server closed (EOF or reset) counts as closed. */
    private static String afterCommand(IoCall call) {
        try {
            String s = call.call();
            return s == null ? CLOSED : s;
        } catch (IOException e) {
            return CLOSED;
        }
    }

    @FunctionalInterface
    private interface IoCall {
        String call() throws IOException;
    }

    /**
     * The login and password James 3.8.1 itself derives from what was sent, before the pack sees
     * anything: AUTH PLAIN splits on NUL and drops blank fields (2 fields: login, password; 3:
     * authorisation id, login, password), POP3 trims USER and PASS arguments ({@code String.trim},
     * every char up to U+0020), AUTH LOGIN and IMAP keep the values as sent. Empty when James
     * refuses the message itself.
     */
    static java.util.Optional<String[]> jamesView(Entry entry, Way way) {
        String login = entry.login().text();
        String password = entry.password().text();
        switch (way) {
            case SMTP_AUTH_PLAIN: {
                List<String> fields = java.util.Arrays.stream(("\0" + login + "\0" + password).split("\0"))
                    .filter(f -> !f.isBlank()).toList();
                if (fields.size() == 2) {
                    return java.util.Optional.of(new String[] {fields.get(0), fields.get(1)});
                }
                if (fields.size() == 3) {
                    return java.util.Optional.of(new String[] {fields.get(1), fields.get(2)});
                }
                return java.util.Optional.empty();
            }
            case POP3_USER_PASS:
                return java.util.Optional.of(new String[] {login.trim(), password.trim()});
            default:
                return java.util.Optional.of(new String[] {login, password});
        }
    }

    static List<Way> ways() {
        return List.of(Way.values());
    }
}
