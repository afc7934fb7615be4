package org.jamespack.it.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A loopback OAuth2 token endpoint that the test switches between answering, failing with 503
 * and refusing the refresh token ({@code invalid_grant}): mock-oauth2-server 6.0.2 cannot be told
 * to fail on demand. Built on the JDK's {@code com.sun.net.httpserver}; binds 127.0.0.1 on a free
 * port. Thread-safe.
 */
final class SwitchableTokenEndpoint implements AutoCloseable {

    enum Mode { OK, UNAVAILABLE, INVALID_GRANT }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "token-endpoint");
        t.setDaemon(true);
        return t;
    });
    private final String accessToken;
    private final int expiresIn;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Mode mode = Mode.OK;

    SwitchableTokenEndpoint(String accessToken, int expiresIn) throws IOException {
        this.accessToken = accessToken;
        this.expiresIn = expiresIn;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/token", exchange -> {
            calls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            int status;
            String body;
            switch (mode) {
                case UNAVAILABLE:
                    status = 503;
                    body = "{\"error\":\"temporarily_unavailable\",\"error_description\":\"stand-in is down\"}";
                    break;
                case INVALID_GRANT:
                    status = 400;
                    body = "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS700082: the refresh token has expired\"}";
                    break;
                default:
                    status = 200;
                    body = "{\"access_token\":\"" + this.accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + this.expiresIn
                        + "}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    void mode(Mode next) {
        this.mode = next;
    }

    int calls() {
        return calls.get();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
