package org.jamespack.relay.token;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback token endpoint for the cases mock-oauth2-server 6.0.2 cannot play: it refuses
 * {@code enqueueResponse}, so it cannot answer {@code invalid_grant}, 5xx or 429 on demand, nor
 * hold a reply to make two processes overlap, nor rotate refresh tokens under the test's
 * control. Built on the JDK's {@code com.sun.net.httpserver}; binds 127.0.0.1 on a free port.
 */
final class TokenEndpointStandIn implements AutoCloseable {

    /** A reply: status and JSON body. */
    record Reply(int status, String body) {
        static Reply token(String access, int expiresIn, String refresh) {
            return new Reply(200, "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
                + (refresh == null ? "" : ",\"refresh_token\":\"" + refresh + "\"") + "}");
        }

        static Reply error(int status, String code) {
            return new Reply(status, "{\"error\":\"" + code + "\",\"error_description\":\"stand-in says " + code + "\"}");
        }
    }

    private final HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<Map<String, String>> requests = Collections.synchronizedList(new ArrayList<>());
    private final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();
    private volatile Function<Integer, Reply> replies = n -> Reply.token("access-" + n, 3600, null);
    private volatile long delayMillis;
    private volatile CountDownLatch firstRequest = new CountDownLatch(1);

    TokenEndpointStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/token", exchange -> {
            int n = calls.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(form(body));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            firstRequest.countDown();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Reply r = replies.apply(n);
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            exchange.sendResponseHeaders(r.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    /** Reply to call n (1-based) with {@code f(n)}. */
    void replies(Function<Integer, Reply> f) {
        this.replies = f;
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    int calls() {
        return calls.get();
    }

    List<Map<String, String>> requests() {
        return List.copyOf(requests);
    }

    boolean awaitFirstRequest(long millis) throws InterruptedException {
        return firstRequest.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static Map<String, String> form(String body) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            m.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
