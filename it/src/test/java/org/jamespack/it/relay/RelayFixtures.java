package org.jamespack.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.it.clients.SmtpClient;

import net.jcip.annotations.ThreadSafe;

/** Shared pieces of the relay's end-to-end tests. */
final class RelayFixtures {

    private RelayFixtures() {
    }

    /**
     * A smarthost's token check as Dovecot does it: RFC 7662 introspection, here at the issuer named in the token
     * (so one smarthost can serve accounts of several OAuth2 servers). Records the issuers of accepted tokens.
     * Thread-safe.
     */
    @ThreadSafe
    static final class Introspector {
        private static final Pattern ISS = Pattern.compile("\"iss\"\\s*:\\s*\"([^\"]+)\"");
        private final HttpClient http = HttpClient.newHttpClient();
        private final List<String> acceptedIssuers = new CopyOnWriteArrayList<>();

        boolean active(String token) {
            String[] parts = token.split("\\.");
            if (parts.length != 3) {
                return false;
            }
            Matcher m = ISS.matcher(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            if (!m.find()) {
                return false;
            }
            String issuer = m.group(1);
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer + "/introspect"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("smarthost:x".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
                boolean active = r.statusCode() == 200 && r.body().replace(" ", "").contains("\"active\":true");
                if (active) {
                    acceptedIssuers.add(issuer);
                }
                return active;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        List<String> acceptedIssuers() {
            return List.copyOf(acceptedIssuers);
        }
    }

    /** Submits one message to James over SMTP with AUTH PLAIN, as a mail client does. */
    static void submit(int port, String user, String password, String from, List<String> recipients, String subject)
        throws IOException {
        try (SmtpClient smtp = new SmtpClient(port)) {
            assertThat(smtp.ehlo()).anyMatch(l -> l.contains("AUTH"));
            assertThat(smtp.authPlain(user, password)).startsWith("235");
            assertThat(smtp.command("MAIL FROM:<" + from + ">")).startsWith("250");
            for (String r : recipients) {
                assertThat(smtp.command("RCPT TO:<" + r + ">")).startsWith("250");
            }
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("From: <" + from + ">");
            smtp.send("To: <" + recipients.get(0) + ">");
            smtp.send("Subject: " + subject);
            smtp.send("Message-ID: <" + subject.replace(' ', '-') + "@it.test>");
            smtp.send("");
            smtp.send("Relayed through James by the XOAUTH2 relay.");
            assertThat(smtp.command(".")).startsWith("250");
            smtp.quit();
        }
    }
}
