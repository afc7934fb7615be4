package org.jamespack.it.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.relay.testing.GraphStandIn;
import org.jamespack.relay.testing.TestCa;

import net.jcip.annotations.NotThreadSafe;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * The demo's outbound half: a local OAuth2 server (mock-oauth2-server), a local smarthost that
 * wants XOAUTH2 over STARTTLS ({@link DemoSmarthost}, certificate from a CA made at start), and
 * the XOAUTH2 relay in James' {@code transport} processor with a route for {@code example.org}:
 * mail from {@code alice@example.org} to any outside address, submitted on the demo's SMTP port,
 * leaves through the smarthost as {@code relay@example.org} and lands as a {@code .eml} file in
 * {@code demo-data/smarthost-inbox/} (or {@code -Ddemo.smarthost.inbox=…}). A second route, for
 * {@code bob@example.org}, sends through a local Microsoft Graph ({@link GraphStandIn}: {@code sendMail} over HTTPS,
 * tokens with {@code Mail.Send} checked at the OAuth2 server) that writes each message to
 * {@code demo-data/graph-outbox/} (or {@code -Ddemo.graph.outbox=…}).
 *
 * <p>Not thread-safe: used by the demo's main thread.
 */
@NotThreadSafe
final class RelayDemoAddon implements DemoAddon {

    private static final String MARKER = "<!-- authpack-demo:relay (a demo add-on puts the XOAUTH2 smarthost relay here) -->";

    private MockOAuth2Server oauth;
    private DemoSmarthost smarthost;
    private GraphStandIn graph;
    private Path inbox;
    private Path outbox;

    @Override
    public void beforeJamesStarts(Path confDir, Map<String, String> variables) throws Exception {
        Path dir = confDir.getParent();
        Path relayDir = Files.createDirectories(dir.resolve("relay"));
        inbox = Path.of(System.getProperty("demo.smarthost.inbox", dir.resolve("smarthost-inbox").toString())).toAbsolutePath();

        outbox = Path.of(System.getProperty("demo.graph.outbox", dir.resolve("graph-outbox").toString())).toAbsolutePath();

        // the demo-graph issuer's tokens look like Microsoft's app-only Graph tokens: audience Graph, roles Mail.Send
        oauth = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(
            new DefaultOAuth2TokenCallback("demo-graph", "bob@example.org", "JWT", List.of("https://graph.microsoft.com"),
                Map.of("roles", List.of("Mail.Send")), 3600))));
        oauth.start(Integer.getInteger("demo.oauth.port", 0));
        TestCa ca = TestCa.create("localhost");
        Path trust = ca.writeTrustStore(relayDir.resolve("smarthost-ca.p12"));
        URI introspection = oauth.url("demo-m365/introspect").uri();
        HttpClient http = HttpClient.newHttpClient();
        smarthost = new DemoSmarthost(Integer.getInteger("demo.smarthost.port", 0), ca.serverContext(),
            token -> introspect(http, introspection, token), inbox);
        graph = new GraphStandIn(ca.serverContext(), GraphStandIn.introspecting(URI.create(oauth.baseUrl().toString())),
            Optional.of(outbox), Integer.getInteger("demo.graph.port", 0));

        Path sources = Files.writeString(relayDir.resolve("token-sources.xml"), "<tokenSources>\n"
            + "  <!-- Microsoft 365 app-only (client credentials); here the demo's local OAuth2 server -->\n"
            + "  <tokenSource name=\"demo-m365\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("demo-m365") + "</tokenEndpoint>\n"
            + "    <clientId>relay@example.org</clientId>\n"
            + "    <clientSecret>demo-client-secret</clientSecret>\n"
            + "    <scope>https://outlook.office.com/.default</scope>\n"
            + "  </tokenSource>\n"
            + "  <!-- Microsoft Graph app-only (client credentials, application permission Mail.Send) -->\n"
            + "  <tokenSource name=\"demo-graph\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("demo-graph") + "</tokenEndpoint>\n"
            + "    <clientId>demo-graph-app</clientId>\n"
            + "    <clientSecret>demo-client-secret</clientSecret>\n"
            + "    <scope>https://graph.microsoft.com/.default</scope>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        String relay = "<mailet match=\"org.jamespack.relay.SenderHasRoute=example.org\" class=\"org.jamespack.relay.XOAuth2Relay\">\n"
            + "                <routes>example.org: host=localhost::" + smarthost.port()
            + " helo=james.demo user=relay@example.org oauth=demo-m365\n"
            + "                    bob@example.org: transport=graph graph-url=" + graph.baseUrl()
            + " user=bob@example.org oauth=demo-graph</routes>\n"
            + "                <tokenSourcesFile>" + sources + "</tokenSourcesFile>\n"
            + "                <trustStore>" + trust + "</trustStore>\n"
            + "                <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
            + "                <journal>file://var/mail/xoauth2-relay/</journal>\n"
            + "                <retrySchedule>F,1h,1m; F,4d,15m</retrySchedule>\n"
            + "            </mailet>";
        Path mailets = confDir.resolve("mailetcontainer.xml");
        String xml = Files.readString(mailets);
        if (!xml.contains(MARKER)) {
            throw new IllegalStateException("demo mailetcontainer.xml has no relay marker " + MARKER);
        }
        Files.writeString(mailets, xml.replace(MARKER, relay));
        // the relay's journal is a file:// repository (the memory server's queue does not survive a restart)
        Files.writeString(confDir.resolve("mailrepositorystore.xml"), "<?xml version=\"1.0\"?>\n<mailrepositorystore>\n"
            + "    <defaultProtocol>memory</defaultProtocol>\n"
            + "    <mailrepositories>\n"
            + "        <mailrepository class=\"org.apache.james.mailrepository.memory.MemoryMailRepository\">\n"
            + "            <protocols><protocol>memory</protocol></protocols>\n"
            + "        </mailrepository>\n"
            + "        <mailrepository class=\"org.apache.james.mailrepository.file.FileMailRepository\">\n"
            + "            <protocols><protocol>file</protocol></protocols>\n"
            + "            <config FIFO=\"false\" CACHEKEYS=\"true\"/>\n"
            + "        </mailrepository>\n"
            + "    </mailrepositories>\n"
            + "</mailrepositorystore>\n");
    }

    /** The smarthost's token check: RFC 7662 introspection at the OAuth2 server, as Dovecot's oauth2 passdb does it. */
    private static boolean introspect(HttpClient http, URI endpoint, String token) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("smarthost:x".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"active\":true");
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public List<String> banner() {
        List<String> lines = new ArrayList<>();
        lines.add("Outbound relay (XOAUTH2 over STARTTLS), route example.org -> relay@example.org:");
        lines.add("  OAuth2    " + oauth.tokenEndpointUrl("demo-m365") + "   (mock-oauth2-server, client credentials)");
        lines.add("  smarthost 127.0.0.1:" + smarthost.port() + "   (STARTTLS, then AUTH XOAUTH2 only)");
        lines.add("  mail from alice@example.org to any outside address lands in " + inbox);
        lines.add("  (each message a .eml file, the relay's identity in its X-Demo-Auth-User header)");
        lines.add("Outbound through Microsoft Graph, route bob@example.org -> sendMail of bob@example.org:");
        lines.add("  Graph     " + graph.baseUrl() + "   (local stand-in, HTTPS, tokens need Mail.Send)");
        lines.add("  mail from bob@example.org to any outside address lands in " + outbox);
        return lines;
    }

    @Override
    public void close() throws Exception {
        if (smarthost != null) {
            smarthost.close();
        }
        if (graph != null) {
            graph.close();
        }
        if (oauth != null) {
            oauth.shutdown();
        }
    }
}
