package org.jamespack.relay.cli;

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
import java.util.function.IntFunction;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An RFC 8628 device authorization endpoint and token endpoint on 127.0.0.1 (mock-oauth2-server has
 * no device grant): {@code /devicecode} hands out one device code, {@code /token} answers the
 * n-th poll with what the test scripted.
 */
final class DeviceEndpointStandIn implements AutoCloseable {

    static final String DEVICE_CODE = "device-code-secret-0123456789";

    record Reply(int status, String body) {
        static Reply error(String code) {
            return new Reply(400, "{\"error\":\"" + code + "\",\"error_description\":\"stand-in: " + code + "\"}");
        }

        static Reply tokens(String access, String refresh) {
            return new Reply(200, "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                + "\"scope\":\"https://outlook.office.com/SMTP.Send\",\"refresh_token\":\"" + refresh + "\"}");
        }
    }

    private final HttpServer server;
    final List<Map<String, String>> deviceRequests = Collections.synchronizedList(new ArrayList<>());
    final List<Map<String, String>> tokenRequests = Collections.synchronizedList(new ArrayList<>());
    private final int interval;
    private final int expiresIn;
    private volatile IntFunction<Reply> polls = n -> Reply.error("authorization_pending");

    DeviceEndpointStandIn(int interval, int expiresIn) throws IOException {
        this.interval = interval;
        this.expiresIn = expiresIn;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/devicecode", ex -> {
            deviceRequests.add(form(ex));
            reply(ex, new Reply(200, "{\"device_code\":\"" + DEVICE_CODE + "\",\"user_code\":\"ABCD-EFGH\","
                + "\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":" + expiresIn
                + ",\"interval\":" + interval + ",\"message\":\"To sign in, use a web browser\"}"));
        });
        server.createContext("/token", ex -> {
            tokenRequests.add(form(ex));
            reply(ex, polls.apply(tokenRequests.size()));
        });
        server.start();
    }

    void polls(IntFunction<Reply> answers) {
        this.polls = answers;
    }

    URI device() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/devicecode");
    }

    URI token() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    }

    private static Map<String, String> form(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private static void reply(HttpExchange ex, Reply r) throws IOException {
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(r.status(), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
