package org.jamespack.relay.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.Address;
import javax.mail.Message;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;
import javax.net.ssl.SSLContext;

import com.nimbusds.jwt.JWTParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A local Microsoft Graph for {@code POST /v1.0/users/{mailbox}/sendMail} in MIME form, answering as Microsoft
 * documents it: {@code 202 Accepted} with no body; errors as {@code {"error":{"code":"…","message":"…"}}};
 * {@code 401 InvalidAuthenticationToken} for a token the OAuth2 server does not call active or whose audience is not
 * Graph;
 * {@code 403 ErrorAccessDenied} for a token without {@code Mail.Send} (in {@code roles} or {@code scp});
 * {@code 403 ErrorSendAsDenied} when the message's {@code From} is another address than the mailbox and the mailbox was
 * not given Send As for it; {@code 400} for a body that is not base64 ("Invalid base64 string for MIME content") or
 * not {@code text/plain}; {@code 413} over 4 MB. Scripted answers ({@link #enqueue}) come first, with
 * {@code Retry-After} when given (throttling, outages). HTTPS on 127.0.0.1, port chosen by the system, certificate
 * from the caller's {@link TestCa}.
 *
 * <p>Tokens are checked at the OAuth2 server (RFC 7662 introspection, as a resource server does), then their claims
 * read. Each accepted message is kept, and written as a {@code .eml} file when an outbox directory is given (the demo).
 * Thread-safe.
 */
public final class GraphStandIn implements AutoCloseable {

    /** A scripted answer. */
    public record Reply(int status, String code, String message, Optional<String> retryAfter) {
        public static Reply error(int status, String code, String message) {
            return new Reply(status, code, message, Optional.empty());
        }

        public Reply withRetryAfter(String value) {
            return new Reply(status, code, message, Optional.of(value));
        }
    }

    /** A message Graph accepted: the mailbox, the MIME bytes as sent, the recipients Graph would send to. */
    public record Received(String mailbox, byte[] mime, List<String> recipients, String subject) {
    }

    /** One request as it arrived, for assertions. */
    public record Request(String path, String contentType, Optional<String> bearer, int status) {
    }

    private static final int MAX_REQUEST = 4 * 1024 * 1024;
    private static final Pattern PATH = Pattern.compile("/v1\\.0/users/([^/]+)/sendMail");

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Function<String, Optional<Map<String, Object>>> tokens;
    private final Optional<Path> outbox;
    private final ConcurrentLinkedQueue<Reply> scripted = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Set<String>> sendAs = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();

    /**
     * @param tls    the server's TLS context ({@link TestCa#serverContext()})
     * @param tokens the claims of an active token, empty for a token the OAuth2 server refuses
     * @param outbox where accepted messages are written as {@code .eml} files, if anywhere
     */
    public GraphStandIn(SSLContext tls, Function<String, Optional<Map<String, Object>>> tokens, Optional<Path> outbox)
        throws IOException {
        this(tls, tokens, outbox, 0);
    }

    /** As above on {@code port} (0: the system picks one). */
    public GraphStandIn(SSLContext tls, Function<String, Optional<Map<String, Object>>> tokens, Optional<Path> outbox, int port)
        throws IOException {
        this.tokens = tokens;
        this.outbox = outbox;
        if (outbox.isPresent()) {
            Files.createDirectories(outbox.get());
        }
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(executor);
        server.createContext("/v1.0/users/", this::handle);
        server.start();
    }

    /**
     * Token check by RFC 7662 introspection at the token's own issuer, which must live under {@code oauthServer}
     * (mock-oauth2-server's {@code /{issuer}/introspect}); the claims are then read from the token itself.
     */
    public static Function<String, Optional<Map<String, Object>>> introspecting(URI oauthServer) {
        HttpClient http = HttpClient.newHttpClient();
        String base = oauthServer.toString().endsWith("/") ? oauthServer.toString() : oauthServer + "/";
        return token -> {
            try {
                Map<String, Object> claims = JWTParser.parse(token).getJWTClaimsSet().getClaims();
                String issuer = String.valueOf(claims.get("iss"));
                if (!issuer.startsWith(base)) {
                    return Optional.empty();
                }
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(issuer + "/introspect"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("graph:x".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200 || !r.body().replace(" ", "").contains("\"active\":true")) {
                    return Optional.empty();
                }
                return Optional.of(claims);
            } catch (IOException | java.text.ParseException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        };
    }

    /** {@code https://127.0.0.1:PORT/v1.0}, the base URL for a route's {@code graph-url=}. */
    public URI baseUrl() {
        return URI.create("https://127.0.0.1:" + port() + "/v1.0");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next requests are answered with these, in order, before any other check. */
    public GraphStandIn enqueue(Reply... replies) {
        scripted.addAll(List.of(replies));
        return this;
    }

    /** Lets {@code mailbox} send as {@code from} (Exchange's Send As permission). */
    public GraphStandIn grantSendAs(String mailbox, String from) {
        sendAs.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), k -> ConcurrentHashMap.newKeySet()).add(from.toLowerCase(Locale.ROOT));
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            Optional<String> bearer = authorization != null && authorization.startsWith("Bearer ")
                ? Optional.of(authorization.substring(7)) : Optional.empty();
            byte[] body = exchange.getRequestBody().readAllBytes();
            Reply reply = answer(path, exchange.getRequestMethod(), contentType, bearer, body);
            requests.add(new Request(path, contentType, bearer, reply.status()));
            if (reply.retryAfter().isPresent()) {
                exchange.getResponseHeaders().set("Retry-After", reply.retryAfter().get());
            }
            if (reply.status() == 202) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            byte[] out = ("{\"error\":{\"code\":\"" + reply.code() + "\",\"message\":\"" + reply.message().replace("\"", "\\\"")
                + "\",\"innerError\":{\"request-id\":\"" + java.util.UUID.randomUUID() + "\"}}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private Reply answer(String path, String method, String contentType, Optional<String> bearer, byte[] body) {
        Reply next = scripted.poll();
        if (next != null) {
            return next;
        }
        Matcher m = PATH.matcher(path);
        if (!m.matches() || !method.equals("POST")) {
            return Reply.error(404, "ResourceNotFound", "Resource not found for the segment '" + path + "'.");
        }
        Optional<Map<String, Object>> claims = bearer.flatMap(tokens);
        if (claims.isEmpty()) {
            return Reply.error(401, "InvalidAuthenticationToken", "Access token validation failure.");
        }
        if (!forGraph(claims.get())) {
            return Reply.error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
        }
        if (!hasMailSend(claims.get())) {
            return Reply.error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
        }
        if (body.length > MAX_REQUEST) {
            return Reply.error(413, "RequestEntityTooLarge", "The request is larger than 4 MB.");
        }
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("text/plain")) {
            return Reply.error(400, "RequestBodyRead", "Cannot read the request body as JSON.");
        }
        byte[] mime;
        try {
            mime = Base64.getMimeDecoder().decode(new String(body, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
        String mailbox = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        MimeMessage message;
        List<String> recipients = new ArrayList<>();
        String from;
        try {
            message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
            for (Message.RecipientType t : List.of(Message.RecipientType.TO, Message.RecipientType.CC, MimeMessage.RecipientType.BCC)) {
                Address[] a = message.getRecipients(t);
                if (a != null) {
                    for (Address x : a) {
                        recipients.add(((InternetAddress) x).getAddress());
                    }
                }
            }
            Address[] f = message.getFrom();
            from = f == null || f.length == 0 ? mailbox : ((InternetAddress) f[0]).getAddress().toLowerCase(Locale.ROOT);
        } catch (MessagingException e) {
            return Reply.error(400, "ErrorMimeContentInvalid", "The MIME content is invalid.");
        }
        if (recipients.isEmpty()) {
            return Reply.error(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.");
        }
        if (!from.equals(mailbox) && !sendAs.getOrDefault(mailbox, Set.of()).contains(from)) {
            return Reply.error(403, "ErrorSendAsDenied",
                "The user account which was used to submit this request does not have the right to send mail on behalf "
                    + "of the specified sending account., Cannot submit message.");
        }
        String subject;
        try {
            subject = String.valueOf(message.getSubject());
        } catch (MessagingException e) {
            subject = "";
        }
        received.add(new Received(mailbox, mime, List.copyOf(recipients), subject));
        outbox.ifPresent(dir -> write(dir, mime));
        return new Reply(202, "", "", Optional.empty());
    }

    private static boolean forGraph(Map<String, Object> claims) {
        Object aud = claims.get("aud");
        List<?> audience = aud instanceof List<?> l ? l : List.of(String.valueOf(aud));
        return audience.stream().map(String::valueOf)
            .anyMatch(a -> a.equals("https://graph.microsoft.com") || a.equals("00000003-0000-0000-c000-000000000000"));
    }

    private static boolean hasMailSend(Map<String, Object> claims) {
        Object roles = claims.get("roles");
        if (roles instanceof List<?> list && list.stream().anyMatch(r -> "Mail.Send".equals(String.valueOf(r)))) {
            return true;
        }
        Object scp = claims.get("scp");
        return scp instanceof String s && List.of(s.split(" ")).contains("Mail.Send");
    }

    private void write(Path dir, byte[] mime) {
        try {
            String name = String.format("%d-%04d.eml", System.currentTimeMillis(), counter.incrementAndGet());
            Path tmp = Files.write(dir.resolve("." + name + ".tmp"), mime);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
