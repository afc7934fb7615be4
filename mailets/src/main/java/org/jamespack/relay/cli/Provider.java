package org.jamespack.relay.cli;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import net.jcip.annotations.Immutable;

/**
 * The endpoints, scope and extra authorization parameters of one identity provider, so that a user
 * of {@code token init} types only the client id and the mailbox. Immutable and thread-safe.
 *
 * @param name                  {@code microsoft}, {@code google} or {@code custom}
 * @param authorizationEndpoint where the browser is sent (authorization-code grant)
 * @param tokenEndpoint         where codes and refresh tokens are exchanged
 * @param deviceEndpoint        the device authorization endpoint (RFC 8628), if the provider has one
 * @param scope                 the scopes asked for (space-separated)
 * @param extraParameters       added to the authorization request (Google: offline access and consent,
 *                              without which no refresh token comes back)
 * @param nativeClientRedirect  the redirect URI for the paste fallback when the provider has one
 */
@Immutable
public record Provider(String name, Optional<URI> authorizationEndpoint, URI tokenEndpoint, Optional<URI> deviceEndpoint,
                       String scope, Map<String, String> extraParameters, Optional<URI> nativeClientRedirect) {

    public static final String MICROSOFT_SCOPE = "https://outlook.office.com/SMTP.Send offline_access";
    public static final String GOOGLE_SCOPE = "https://mail.google.com/";
    public static final URI GOOGLE_TOKEN = URI.create("https://oauth2.googleapis.com/token");
    public static final URI GOOGLE_AUTHORIZE = URI.create("https://accounts.google.com/o/oauth2/v2/auth");

    /** A tenant is a well-known name, a GUID or a verified domain; anything else would change the URL's path. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,252}");

    public Provider {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(scope, "scope");
        extraParameters = Map.copyOf(extraParameters);
    }

    /**
     * Microsoft identity platform v2.0 for {@code tenant}: {@code consumers} (outlook.com),
     * {@code organizations}, {@code common}, a tenant id or a domain.
     *
     * @throws IllegalArgumentException for a tenant that is not a name, id or domain
     */
    public static Provider microsoft(String tenant) {
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException("tenant '" + tenant + "' is not consumers, common, organizations, a tenant id or a domain");
        }
        String base = "https://login.microsoftonline.com/" + tenant.toLowerCase(Locale.ROOT) + "/oauth2/v2.0/";
        return new Provider("microsoft", Optional.of(URI.create(base + "authorize")), URI.create(base + "token"),
            Optional.of(URI.create(base + "devicecode")), MICROSOFT_SCOPE, Map.of(),
            Optional.of(URI.create("https://login.microsoftonline.com/common/oauth2/nativeclient")));
    }

    /** Google: SMTP needs the full mail scope; offline access and consent so that a refresh token is issued. */
    public static Provider google() {
        return new Provider("google", Optional.of(GOOGLE_AUTHORIZE), GOOGLE_TOKEN, Optional.empty(), GOOGLE_SCOPE,
            Map.of("access_type", "offline", "prompt", "consent"), Optional.empty());
    }

    public Provider withAuthorizationEndpoint(URI uri) {
        return new Provider(name, Optional.of(uri), tokenEndpoint, deviceEndpoint, scope, extraParameters, nativeClientRedirect);
    }

    public Provider withTokenEndpoint(URI uri) {
        return new Provider(name, authorizationEndpoint, uri, deviceEndpoint, scope, extraParameters, nativeClientRedirect);
    }

    public Provider withDeviceEndpoint(URI uri) {
        return new Provider(name, authorizationEndpoint, tokenEndpoint, Optional.of(uri), scope, extraParameters,
            nativeClientRedirect);
    }

    public Provider withScope(String s) {
        return new Provider(name, authorizationEndpoint, tokenEndpoint, deviceEndpoint, s, extraParameters, nativeClientRedirect);
    }
}
