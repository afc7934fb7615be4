package org.jamespack.relay.token;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.foundation.Secret;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;

import net.jcip.annotations.Immutable;

/**
 * Sends one Nimbus {@link TokenRequest} with the endpoint's time-outs, TLS and proxy, and turns
 * the reply into a {@link GrantResult}: the reply is parsed into success or error first (RFC 6749
 * §5.1/§5.2), and only then classified. Stateless and thread-safe.
 *
 * <p>Classification: {@code invalid_grant}, {@code invalid_client}, {@code unauthorized_client},
 * {@code unsupported_grant_type}, {@code invalid_scope} are CREDENTIAL_BROKEN (waiting does not
 * help: an operator must act); {@code temporarily_unavailable}, {@code server_error},
 * {@code slow_down}, HTTP 5xx, 408, 429, I/O errors and unreadable replies are TRANSIENT. An
 * unknown error code is judged by its HTTP status: 400, 401, 403 broken, else transient.
 *
 * <p>One exception to "invalid_grant is broken": a JWT assertion refused for its times (Google:
 * "Invalid JWT … in a reasonable timeframe. Check your iat and exp values"; Entra ID:
 * AADSTS700024 "Client assertion is not within its valid time range") says this server's clock
 * is off, not that the credential is wrong. It is TRANSIENT, tried again on the next attempt
 * with a fresh assertion, and the detail tells the operator to check the clock (NTP).
 */
@Immutable
public final class TokenEndpointCall {

    /** When the endpoint omits {@code expires_in} (it is only RECOMMENDED), assume this. */
    static final Duration ASSUMED_LIFETIME = Duration.ofHours(1);

    private static final Set<String> BROKEN = Set.of("invalid_grant", "invalid_client", "unauthorized_client",
        "unsupported_grant_type", "invalid_scope");
    private static final Set<String> TRANSIENT = Set.of("temporarily_unavailable", "server_error", "slow_down");
    private static final int MAX_DESCRIPTION = 300;
    /** Request parameters that carry a credential (RFC 6749 §4.1.3, §6, §4.4; RFC 7523; RFC 7636; RFC 8628). */
    private static final Set<String> SECRET_PARAMETERS = Set.of("refresh_token", "client_secret", "client_assertion",
        "assertion", "code", "code_verifier", "device_code", "password");
    private static final String REDACTED = "[redacted]";

    private TokenEndpointCall() {
    }

    /** Sends {@code request} once and classifies the reply; never throws for network or protocol errors. */
    public static GrantResult send(TokenRequest request, EndpointSettings endpoint, Clock clock) {
        HTTPRequest http = request.toHTTPRequest();
        List<String> sent = secretsIn(http);
        HTTPResponse response;
        try {
            response = prepare(http, endpoint).send();
        } catch (IOException e) {
            return redact(new GrantResult.Failed(TokenOutcome.Kind.TRANSIENT,
                "cannot reach token endpoint " + endpoint.tokenEndpoint() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage())), sent);
        }
        return redact(classify(response, endpoint, clock, sent), sent);
    }

    /**
     * The credentials {@code http} carries: body parameters and a Basic client secret. A token
     * endpoint's {@code error_description} is free text chosen by the server, and some echo what
     * they were sent ("invalid refresh token 'M.R3_…'"); the detail ends in logs, WebAdmin and the
     * health report, so whatever we sent is cut out of it.
     */
    public static List<String> secretsIn(HTTPRequest http) {
        List<String> out = new ArrayList<>();
        try {
            Map<String, List<String>> form = http.getBodyAsFormParameters();
            for (Map.Entry<String, List<String>> e : form.entrySet()) {
                if (SECRET_PARAMETERS.contains(e.getKey())) {
                    out.addAll(e.getValue());
                }
            }
        } catch (ParseException e) {
            // no form body (not a token request Nimbus built): no parameter to collect
            out.clear();
        }
        String authorization = http.getAuthorization();
        if (authorization != null) {
            try {
                out.add(ClientSecretBasic.parse(authorization).getClientSecret().getValue());
            } catch (ParseException e) {
                // not Basic (e.g. a DPoP or Bearer header): the whole header value is the credential
                out.add(authorization);
            }
        }
        out.removeIf(v -> v == null || v.isEmpty());
        return out;
    }

    /** {@code result} with every occurrence of a value in {@code sent} (raw or form-encoded) replaced. */
    public static GrantResult redact(GrantResult result, List<String> sent) {
        if (!(result instanceof GrantResult.Failed failed) || sent.isEmpty()) {
            return result;
        }
        String detail = redact(failed.detail(), sent);
        return detail.equals(failed.detail()) ? result : new GrantResult.Failed(failed.kind(), detail);
    }

    private static String redact(String text, List<String> sent) {
        String out = text;
        for (String secret : sent) {
            out = out.replace(secret, REDACTED)
                .replace(URLEncoder.encode(secret, StandardCharsets.UTF_8), REDACTED);
        }
        return out;
    }

    /**
     * Applies the endpoint's time-outs, TLS and proxy to any request for it, and turns off
     * redirects (a redirected POST could carry a secret elsewhere). Public for the token tool's
     * device authorization request and RFC 8628 polling, whose error codes
     * ({@code authorization_pending}, {@code slow_down}) it must see before {@link #classify}.
     */
    public static HTTPRequest prepare(HTTPRequest http, EndpointSettings endpoint) {
        http.setConnectTimeout(millis(endpoint.connectTimeout()));
        http.setReadTimeout(millis(endpoint.readTimeout()));
        http.setFollowRedirects(false);
        endpoint.tls().ifPresent(http::setSSLSocketFactory);
        endpoint.proxy().ifPresent(http::setProxy);
        return http;
    }

    /** Classifies a token endpoint's reply (RFC 6749 §5.1/§5.2) as in {@link #send}, for a request that carried no secret. */
    public static GrantResult classify(HTTPResponse response, EndpointSettings endpoint, Clock clock) {
        return classify(response, endpoint, clock, List.of());
    }

    /**
     * Classifies a token endpoint's reply (RFC 6749 §5.1/§5.2) as in {@link #send}; {@code sent} (from
     * {@link #secretsIn}) is cut out of the {@code error_description} before that is shortened, so that a secret
     * straddling the cut cannot leave its head behind.
     */
    public static GrantResult classify(HTTPResponse response, EndpointSettings endpoint, Clock clock, List<String> sent) {
        int status = response.getStatusCode();
        String where = "token endpoint " + endpoint.tokenEndpoint() + " answered HTTP " + status;
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            // Not an RFC 6749 reply: a proxy's error page, a wrong URL. Only the status tells.
            return new GrantResult.Failed(TokenOutcome.Kind.TRANSIENT, where + " without a readable OAuth2 reply");
        }
        if (parsed instanceof TokenErrorResponse error) {
            return failed(error.getErrorObject(), status, where, sent);
        }
        AccessTokenResponse ok = (AccessTokenResponse) parsed;
        AccessToken access = ok.getTokens().getAccessToken();
        long lifetime = access.getLifetime();
        Duration life = lifetime > 0 ? Duration.ofSeconds(lifetime) : ASSUMED_LIFETIME;
        RefreshToken refresh = ok.getTokens().getRefreshToken();
        return new GrantResult.Issued(Secret.of(access.getValue()), clock.instant().plus(life),
            Optional.ofNullable(refresh).map(r -> Secret.of(r.getValue())));
    }

    private static GrantResult failed(ErrorObject error, int status, String where, List<String> sent) {
        String code = error.getCode() == null ? "" : error.getCode().toLowerCase(Locale.ROOT);
        // redact first, then cut: cut first, a secret across the cut keeps its head, which no longer matches whole
        String description = error.getDescription() == null ? "" : redact(error.getDescription(), sent);
        if (description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION) + "…";
        }
        String detail = where + ": " + (code.isEmpty() ? "(no error code)" : code)
            + (description.isEmpty() ? "" : " (" + description + ")");
        TokenOutcome.Kind kind;
        if (isClockSkew(description)) {
            return new GrantResult.Failed(TokenOutcome.Kind.TRANSIENT, detail
                + "; the assertion's times were refused: check this server's clock (NTP), it is tried again");
        }
        if (status >= 500 || status == 429 || status == 408 || TRANSIENT.contains(code)) {
            kind = TokenOutcome.Kind.TRANSIENT;
        } else if (BROKEN.contains(code)) {
            kind = TokenOutcome.Kind.CREDENTIAL_BROKEN;
        } else if (status == 400 || status == 401 || status == 403) {
            kind = TokenOutcome.Kind.CREDENTIAL_BROKEN;
        } else {
            kind = TokenOutcome.Kind.TRANSIENT;
        }
        return new GrantResult.Failed(kind, detail);
    }

    /** Whether an error description says the JWT assertion's iat/nbf/exp were out of the accepted range. */
    static boolean isClockSkew(String description) {
        String d = description.toLowerCase(Locale.ROOT);
        return d.contains("aadsts700024") || d.contains("not within its valid time range")
            || d.contains("reasonable timeframe") || d.contains("check your iat and exp");
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }
}
