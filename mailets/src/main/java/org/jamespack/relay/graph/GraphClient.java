package org.jamespack.relay.graph;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.smtp.FailureKind;

import net.jcip.annotations.ThreadSafe;

/**
 * Calls Microsoft Graph's {@code POST /users/{mailbox}/sendMail} with a message in MIME form, on the JDK's
 * {@link HttpClient}. Thread-safe: one client serves every delivery thread (the JDK client pools its connections).
 *
 * <p>TLS certificates and host names are checked (the JVM's CAs, or the relay's trust store); redirects are never
 * followed, since the bearer token would go along; connect and request time-outs are always set, so a hung Graph
 * cannot hold a delivery thread. No token reaches a log line or a result: the token goes only into the
 * {@code Authorization} header, and is cut out of Graph's error messages.
 */
@ThreadSafe
public final class GraphClient {

    private final HttpClient http;
    private final Duration requestTimeout;
    private final Clock clock;

    /**
     * @param connectTimeout TCP and TLS connect time-out
     * @param requestTimeout time-out for the whole answer (the upload included)
     * @param tls            trust for Graph's certificate; empty: the JVM's default CAs
     * @param clock          measures {@code Retry-After} dates
     */
    public GraphClient(Duration connectTimeout, Duration requestTimeout, Optional<SSLContext> tls, Clock clock) {
        Objects.requireNonNull(tls, "tls");
        if (connectTimeout.isZero() || connectTimeout.isNegative() || requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("time-outs must be positive (zero would mean wait forever)");
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
        tls.ifPresent(builder::sslContext);
        this.http = builder.build();
        this.requestTimeout = requestTimeout;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sends one prepared message ({@link GraphMessage.Ready#body()}) from {@code mailbox}; never throws for network or
     * protocol errors.
     */
    public GraphResult sendMail(GraphEndpoint endpoint, String mailbox, byte[] base64Body, Secret token) {
        String where = "Graph " + endpoint + " (sendMail of " + mailbox + ")";
        String bearer = token.reveal();
        HttpRequest request = HttpRequest.newBuilder(endpoint.sendMail(mailbox))
            .timeout(requestTimeout)
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofByteArray(base64Body))
            .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            // the message may have been taken before the answer was lost, as after a lost reply to SMTP's DATA
            return new GraphResult.Failed(FailureKind.TRANSIENT, -1, "", where + ": no answer within " + requestTimeout, "",
                Optional.empty());
        } catch (IOException e) {
            return new GraphResult.Failed(FailureKind.TRANSIENT, -1, "", where + ": cannot reach Graph: "
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), "", Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GraphResult.Failed(FailureKind.TRANSIENT, -1, "", where + ": interrupted (the relay is stopping)", "",
                Optional.empty());
        }
        return GraphAnswers.classify(response.statusCode(), response.headers().firstValue("Retry-After"), response.body(),
            where, mailbox, bearer, clock.instant());
    }
}
