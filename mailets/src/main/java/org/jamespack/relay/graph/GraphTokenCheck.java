package org.jamespack.relay.graph;

import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jamespack.foundation.Secret;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;

import net.jcip.annotations.Immutable;

/**
 * Checks, without sending mail, whether an access token can call {@code sendMail}: its audience must be Graph and it
 * must carry the {@code Mail.Send} permission, as {@code roles} (application permission, app-only tokens) or in
 * {@code scp} (delegated). Graph has no harmless call that {@code Mail.Send} alone allows (reading a mailbox or a user
 * needs other permissions), so the token's own claims are read instead; the signature is not checked (Graph does that),
 * only what the token says. Stateless and thread-safe. Reports never quote the token.
 */
@Immutable
public final class GraphTokenCheck {

    /** Graph's application id, the audience of v1 tokens. */
    static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    /** The verdict: OK (token fit for sendMail), FAIL (it cannot work), UNKNOWN (cannot be told from the token). */
    public enum State { OK, FAIL, UNKNOWN }

    /**
     * What the check found.
     *
     * @param state  the verdict
     * @param lines  what was found and what to do, one finding a line
     */
    public record Report(State state, List<String> lines) {
        public Report {
            Objects.requireNonNull(state, "state");
            lines = List.copyOf(lines);
        }
    }

    private GraphTokenCheck() {
    }

    /** Checks {@code token} for {@code endpoint} (whose host is the audience national clouds use). */
    public static Report check(Secret token, GraphEndpoint endpoint) {
        JWTClaimsSet claims;
        try {
            claims = JWTParser.parse(token.reveal()).getJWTClaimsSet();
        } catch (ParseException e) {
            return new Report(State.UNKNOWN, List.of("the token is not a JWT, so its permissions cannot be read here "
                + "(Microsoft issues opaque tokens to personal accounts); only a message sent will tell"));
        }
        List<String> lines = new ArrayList<>();
        State state = State.OK;
        List<String> audience = claims.getAudience();
        String graphAudience = "https://" + endpoint.base().getHost().toLowerCase(Locale.ROOT);
        boolean forGraph = audience.stream().map(a -> a.toLowerCase(Locale.ROOT).replaceAll("/+$", ""))
            .anyMatch(a -> a.equals(graphAudience) || a.equals(GRAPH_APP_ID));
        if (forGraph) {
            lines.add("audience " + audience + ": Graph");
        } else {
            state = State.FAIL;
            lines.add("audience " + audience + " is not Graph (" + graphAudience + "): request the token with scope "
                + graphAudience + "/.default (app-only) or " + graphAudience + "/Mail.Send (delegated); a token for "
                + "outlook.office365.com serves SMTP, not Graph");
        }
        List<String> roles = strings(claims, "roles");
        List<String> scopes = strings(claims, "scp");
        if (roles.stream().anyMatch("Mail.Send"::equalsIgnoreCase)) {
            lines.add("application permission Mail.Send (roles " + roles + ")");
        } else if (scopes.stream().anyMatch("Mail.Send"::equalsIgnoreCase)) {
            lines.add("delegated permission Mail.Send (scp " + scopes + ")");
        } else {
            state = State.FAIL;
            lines.add("no Mail.Send in the token (roles " + roles + ", scp " + scopes + "): add the permission Mail.Send "
                + "to the app registration (application permission with admin consent for client credentials, delegated "
                + "for user tokens), then get a new token; Graph answers 403 ErrorAccessDenied without it");
        }
        return new Report(state, lines);
    }

    /** A claim as a list of strings: a JSON array, or a space-separated string as {@code scp} is. */
    private static List<String> strings(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        if (value instanceof String s) {
            return Arrays.stream(s.split(" ")).filter(v -> !v.isBlank()).toList();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
