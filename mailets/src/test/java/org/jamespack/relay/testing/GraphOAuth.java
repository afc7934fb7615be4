package org.jamespack.relay.testing;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A mock-oauth2-server whose issuers hand out tokens shaped as Microsoft's for Graph: issuer {@link #GRAPH} tokens
 * for {@code https://graph.microsoft.com} with the application permission {@code Mail.Send} in {@code roles};
 * {@link #NO_PERMISSION} the same without the permission; {@link #OUTLOOK} a token for SMTP
 * ({@code https://outlook.office365.com}, {@code SMTP.SendAsApp}), the wrong audience for Graph.
 */
public final class GraphOAuth {

    public static final String GRAPH = "graph";
    public static final String NO_PERMISSION = "graph-no-permission";
    public static final String OUTLOOK = "outlook";

    private GraphOAuth() {
    }

    /** A started server with the three issuers. */
    public static MockOAuth2Server start() {
        MockOAuth2Server server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(
            new DefaultOAuth2TokenCallback(GRAPH, "relay-app", "JWT", List.of("https://graph.microsoft.com"),
                Map.of("roles", List.of("Mail.Send")), 3600),
            new DefaultOAuth2TokenCallback(NO_PERMISSION, "relay-app", "JWT", List.of("https://graph.microsoft.com"),
                Map.of(), 3600),
            new DefaultOAuth2TokenCallback(OUTLOOK, "relay-app", "JWT", List.of("https://outlook.office365.com"),
                Map.of("roles", List.of("SMTP.SendAsApp")), 3600))));
        server.start();
        return server;
    }

    /** The Graph stand-in's token check: introspection at the token's issuer on {@code server}. */
    public static Function<String, Optional<Map<String, Object>>> tokenCheck(MockOAuth2Server server) {
        return GraphStandIn.introspecting(URI.create(server.baseUrl().toString()));
    }
}
