package org.jamespack.relay.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.token.EndpointSettings;
import org.jamespack.relay.token.GrantResult;
import org.jamespack.relay.token.SaslXoauth2Config;
import org.jamespack.relay.token.TokenFile;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.foundation.tls.TrustAnchors;

import net.jcip.annotations.NotThreadSafe;
import net.minidev.json.JSONObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token init}: the first tokens of an account, written as a sasl-xoauth2 token file (mode
 * 0600, atomically, by {@link TokenFile#writeAtomically}). Not thread-safe (one run).
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = {"Sign in once and write a sasl-xoauth2 token file (mode 0600) for FILE.",
        "Microsoft: device code by default (type the printed code at the printed page), or --grant code.",
        "Google: authorization code with PKCE; the browser returns to a listener on 127.0.0.1.",
        "Headless host: --paste (paste the URL the browser ended on) or ssh -L to the printed port."},
    footerHeading = "%nExamples:%n",
    footer = {"  token init /etc/tokens/alice@example.org --provider microsoft \\",
        "      --tenant organizations --user alice@example.org \\",
        "      --client-id 11111111-2222-3333-4444-555555555555",
        "  token init /etc/tokens/bob@gmail.com --provider google --paste \\",
        "      --user bob@gmail.com --client-secret-file /root/google-secret \\",
        "      --client-id 1234-abcd.apps.googleusercontent.com"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:token file written", "1:sign-in refused, declined or expired; file exists without --force",
        "2:usage error", "3:temporary failure (network, server error, no answer in time)"})
@NotThreadSafe
final class InitCommand implements Callable<Integer> {

    enum Preset { microsoft, google, custom }

    enum Grant { device, code }

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", paramLabel = "FILE", description = "the token file to write, e.g. /etc/tokens/user@example.org")
    Path file;

    @Option(names = "--provider", required = true, paramLabel = "NAME",
        description = "microsoft, google or custom (custom needs --token-endpoint and --authorization-endpoint or --device-endpoint)")
    Preset preset;

    @Option(names = "--tenant", defaultValue = "common", paramLabel = "TENANT",
        description = "Microsoft tenant: consumers (outlook.com), organizations, common, a tenant id or domain (default: ${DEFAULT-VALUE})."
            + " Refresh tokens must later be refreshed at the same tenant.")
    String tenant;

    @Option(names = "--client-id", paramLabel = "ID", description = "the app's client id (default: client_id of sasl-xoauth2.conf)")
    String clientId;

    @Option(names = "--client-secret-file", paramLabel = "FILE",
        description = "a file holding the client secret (confidential clients, e.g. Google's 'Desktop app'); never printed")
    Path clientSecretFile;

    @Option(names = "--user", required = true, paramLabel = "MAILBOX", description = "the mailbox that signs in (login hint; stored as user)")
    String user;

    @Option(names = "--grant", paramLabel = "GRANT", description = "device or code (default: device for microsoft, else code)")
    Grant grant;

    @Option(names = "--scope", paramLabel = "SCOPES", description = "scopes to ask for instead of the provider's")
    String scope;

    @Option(names = "--token-endpoint", paramLabel = "URL", description = "override the provider's token endpoint")
    URI tokenEndpoint;

    @Option(names = "--authorization-endpoint", paramLabel = "URL", description = "override the provider's authorization endpoint")
    URI authorizationEndpoint;

    @Option(names = "--device-endpoint", paramLabel = "URL", description = "override the provider's device authorization endpoint")
    URI deviceEndpoint;

    @Option(names = "--paste", description = "no listener: print the URL, then read the URL the browser ended on from standard input")
    boolean paste;

    @Option(names = "--redirect-uri", paramLabel = "URL",
        description = "with --paste: the registered redirect URI (default: Microsoft's nativeclient page, else http://127.0.0.1/)")
    URI redirectUri;

    @Option(names = "--no-browser", description = "do not try to open a browser; only print the URL")
    boolean noBrowser;

    @Option(names = "--port", defaultValue = "0", paramLabel = "PORT",
        description = "loopback listener port (default: a free one; fix it for ssh -L)")
    int port;

    @Option(names = "--timeout", defaultValue = "PT10M", paramLabel = "DURATION",
        description = "how long to wait for the browser, ISO-8601 (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--ca-bundle", paramLabel = "PEM", description = "CA certificates for the endpoints (stored as ca_bundle_file)")
    Path caBundle;

    @Option(names = "--sasl-xoauth2-config", paramLabel = "FILE",
        description = "sasl-xoauth2's global file (default: /etc/sasl-xoauth2.conf when present); settings equal to it are not repeated in FILE")
    Path globalFile;

    @Option(names = "--force", description = "replace an existing token file")
    boolean force;

    @Override
    public Integer call() throws Exception {
        SaslXoauth2Config global = TokenTool.globalConfig(Optional.ofNullable(globalFile));
        Provider provider = provider();
        String id = Optional.ofNullable(clientId).or(global::clientId).orElseThrow(() ->
            new IllegalArgumentException("give --client-id (or client_id in sasl-xoauth2.conf)"));
        Optional<Secret> secret = clientSecretFile == null ? global.clientSecret() : Optional.of(readSecret(clientSecretFile));
        if (Files.exists(file) && !force) {
            tool.err.println("token init: " + file + " exists; give --force to replace it");
            return TokenTool.FAILED;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("directory " + dir + " does not exist");
        }
        EndpointSettings endpoint = EndpointSettings.of(provider.tokenEndpoint())
            .withTls(TrustAnchors.socketFactory(Optional.ofNullable(caBundle), Optional.empty(), Optional.empty(),
                Optional.empty(), "PKCS12"));
        Grant g = grant != null ? grant : provider.deviceEndpoint().isPresent() && preset == Preset.microsoft ? Grant.device : Grant.code;
        TokenCalls.Reply reply;
        if (g == Grant.device) {
            URI device = provider.deviceEndpoint().orElseThrow(() ->
                new IllegalArgumentException("this provider has no device authorization endpoint: give --device-endpoint or --grant code"));
            reply = new DeviceCodeFlow(device, endpoint, id, secret, provider.scope(), tool.clock, tool.sleeper, tool.out,
                tool.interactive).run();
        } else {
            AuthorizationCodeFlow flow = new AuthorizationCodeFlow(provider, endpoint, id, secret, Optional.of(user), tool.clock,
                tool.out);
            if (paste) {
                URI redirect = Optional.ofNullable(redirectUri).or(provider::nativeClientRedirect)
                    .orElse(URI.create("http://127.0.0.1/"));
                reply = flow.viaPaste(redirect, tool.in);
            } else {
                reply = flow.viaLoopback(port, timeout,
                    noBrowser ? AuthorizationCodeFlow.BrowserOpener.NONE : AuthorizationCodeFlow.BrowserOpener.DESKTOP);
            }
        }
        if (reply.result() instanceof GrantResult.Failed failed) {
            return Reports.failure(tool.err, "sign-in", failed.kind(), failed.detail());
        }
        GrantResult.Issued issued = (GrantResult.Issued) reply.result();
        if (issued.refreshToken().isEmpty()) {
            tool.err.println("token init: the server issued no refresh token (Microsoft: ask for offline_access;"
                + " Google: access_type=offline and prompt=consent); nothing written");
            return TokenTool.FAILED;
        }
        write(issued, reply.scope().orElse(provider.scope()), id, secret, provider, global)
            .ifPresent(changed -> tool.err.println("token init: " + changed));
        tool.out.println("Wrote " + file + " (" + mode(file) + ") for " + user + "; access token valid until "
            + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").format(issued.expiresAt().atZone(tool.zone)) + ".");
        tool.out.println("Next: 'token show " + file + "', then 'token test " + file + " --host SMARTHOST --user " + user + "'.");
        return TokenTool.OK;
    }

    private Provider provider() {
        Provider p = switch (preset) {
            case microsoft -> Provider.microsoft(tenant);
            case google -> Provider.google();
            case custom -> {
                if (tokenEndpoint == null) {
                    throw new IllegalArgumentException("--provider custom needs --token-endpoint");
                }
                yield new Provider("custom", Optional.empty(), tokenEndpoint, Optional.empty(), "", Map.of(), Optional.empty());
            }
        };
        if (tokenEndpoint != null) {
            p = p.withTokenEndpoint(tokenEndpoint);
        }
        if (authorizationEndpoint != null) {
            p = p.withAuthorizationEndpoint(authorizationEndpoint);
        }
        if (deviceEndpoint != null) {
            p = p.withDeviceEndpoint(deviceEndpoint);
        }
        if (scope != null) {
            p = p.withScope(scope);
        }
        if (p.scope().isBlank()) {
            throw new IllegalArgumentException("--provider custom needs --scope");
        }
        return p;
    }

    /**
     * The file as sasl-xoauth2 reads it. client_id, client_secret and token_endpoint go into it
     * unless sasl-xoauth2 would take the same value from its global file or built-in default, so
     * that one sasl-xoauth2 serves several providers (its README, "Using Multiple Mail Providers").
     * {@code scope} is informational (sasl-xoauth2 ignores it) for {@code token show}.
     */
    private Optional<String> write(GrantResult.Issued issued, String grantedScope, String id, Optional<Secret> secret, Provider provider,
                       SaslXoauth2Config global) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(TokenFile.ACCESS_TOKEN, issued.accessToken().reveal());
        if (!global.clientId().equals(Optional.of(id))) {
            fields.put(TokenFile.CLIENT_ID, id);
        }
        if (secret.isPresent() && !secret.equals(global.clientSecret())) {
            fields.put(TokenFile.CLIENT_SECRET, secret.get().reveal());
        } else if (secret.isEmpty() && global.clientSecret().isPresent()) {
            // A public client under a global file that names a secret: "" keeps sasl-xoauth2 from sending it.
            fields.put(TokenFile.CLIENT_SECRET, "");
        }
        String endpoint = provider.tokenEndpoint().toString();
        if (!global.tokenEndpoint().orElse(SaslXoauth2Config.DEFAULT_TOKEN_ENDPOINT).equals(endpoint)) {
            fields.put(TokenFile.TOKEN_ENDPOINT, endpoint);
        }
        fields.put(TokenFile.EXPIRY, Long.toString(issued.expiresAt().getEpochSecond()));
        fields.put(TokenFile.REFRESH_TOKEN, issued.refreshToken().orElseThrow().reveal());
        fields.put(TokenFile.USER, user);
        if (caBundle != null) {
            fields.put(TokenFile.CA_BUNDLE_FILE, caBundle.toAbsolutePath().toString());
        }
        fields.put(ShowCommand.SCOPE, grantedScope);
        return TokenFile.parse(JSONObject.toJSONString(fields)).writeAtomically(file);
    }

    /** {@code rw------- root:root}: what the written file ended up as (an existing file keeps its owner, group and mode). */
    private static String mode(Path file) {
        try {
            java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class);
            return "mode " + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + " " + a.owner().getName()
                + ":" + a.group().getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "mode unknown";
        }
    }

    private static Secret readSecret(Path f) {
        try {
            String s = Files.readString(f, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException(f + " is empty");
            }
            return Secret.of(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(f + " cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
