package org.jamespack.relay.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import org.jamespack.relay.token.SaslXoauth2Config;
import org.jamespack.relay.token.TokenFile;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

import net.jcip.annotations.NotThreadSafe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code token show FILE}: what a token file holds, never the tokens or the client secret. Not
 * thread-safe (one run).
 */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show a token file's account, scopes, expiry (local time), endpoint and whether it can be refreshed;"
        + " never a token or secret.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:shown, refreshable", "1:shown, but it cannot be refreshed (no client_id)", "2:usage error or unreadable file"})
@NotThreadSafe
final class ShowCommand implements Callable<Integer> {

    /** Written by {@code token init} for this command; sasl-xoauth2 ignores it. */
    static final String SCOPE = "scope";

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");

    @ParentCommand
    TokenTool tool;

    @Parameters(index = "0", paramLabel = "FILE", description = "a sasl-xoauth2 token file")
    Path file;

    @Mixin
    GlobalConfigOption globalOption;

    @Override
    public Integer call() {
        String text;
        TokenFile f;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
            f = TokenFile.parse(text);
        } catch (IOException e) {
            tool.err.println("token show: " + file + " cannot be read: " + e.getClass().getSimpleName());
            return TokenTool.USAGE;
        } catch (IllegalArgumentException e) {
            tool.err.println("token show: " + file + " is not a usable token file: " + e.getMessage());
            return TokenTool.USAGE;
        }
        SaslXoauth2Config global = globalOption.config();
        Optional<JWTClaimsSet> claims = f.accessToken().flatMap(t -> jwtClaims(t.reveal()));
        var out = tool.out;
        out.println("file:           " + file.toAbsolutePath() + mode(file));
        out.println("account:        " + f.user().or(() -> claim(claims, "upn")).or(() -> claim(claims, "unique_name"))
            .or(() -> claim(claims, "email")).map(a -> a + (f.user().isPresent() ? "" : " (from the access token)"))
            .orElse(file.getFileName() + " (no user key: the relay's user= decides)"));
        out.println("scopes:         " + stringField(text, SCOPE).or(() -> claim(claims, "scp"))
            .orElse("unknown (sasl-xoauth2 files do not record them)"));
        Instant expiry = f.expiry();
        Instant now = tool.clock.instant();
        String when = expiry.equals(Instant.EPOCH) ? "expired (expiry 0)"
            : LOCAL.format(expiry.atZone(tool.zone)) + (expiry.isAfter(now) ? " (in " + human(Duration.between(now, expiry)) + ")"
                : " (expired " + human(Duration.between(expiry, now)) + " ago)");
        out.println("access token:   " + (f.accessToken().isPresent() ? "present, valid until " + when : "none yet"));
        out.println("refresh token:  present");
        Optional<String> id = f.clientId().or(global::clientId);
        out.println("client id:      " + id.map(i -> i + (f.clientId().isPresent() ? "" : " (from sasl-xoauth2.conf)")).orElse("none"));
        out.println("client secret:  " + (f.clientSecret().isPresent() ? "set in the file (not shown)"
            : global.clientSecret().isPresent() ? "from sasl-xoauth2.conf (not shown)" : "none (public client)"));
        out.println("token endpoint: " + f.tokenEndpoint().map(e -> e)
            .or(() -> global.tokenEndpoint().map(e -> e + " (from sasl-xoauth2.conf)"))
            .orElse(SaslXoauth2Config.DEFAULT_TOKEN_ENDPOINT + " (sasl-xoauth2's default: Google)"));
        f.refreshWindow().ifPresent(w -> out.println("refresh window: " + w.toSeconds() + " s"));
        if (id.isEmpty()) {
            out.println("refreshable:    no: no client_id in the file or sasl-xoauth2.conf");
            return TokenTool.FAILED;
        }
        out.println("refreshable:    yes");
        return TokenTool.OK;
    }

    /** Claims of a JWT access token (Microsoft work accounts), read without verification only to show them. */
    private static Optional<JWTClaimsSet> jwtClaims(String token) {
        try {
            return Optional.of(JWTParser.parse(token).getJWTClaimsSet());
        } catch (java.text.ParseException | RuntimeException e) {
            // opaque tokens (Google, Microsoft consumer accounts) are not JWTs: nothing to show
            return Optional.empty();
        }
    }

    private static Optional<String> claim(Optional<JWTClaimsSet> claims, String name) {
        return claims.flatMap(c -> {
            Object v = c.getClaim(name);
            return v instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
        });
    }

    private static Optional<String> stringField(String json, String key) {
        try {
            return Optional.ofNullable(JSONObjectUtils.getString(JSONObjectUtils.parse(json), key, null)).filter(s -> !s.isBlank());
        } catch (com.nimbusds.oauth2.sdk.ParseException e) {
            return Optional.empty();
        }
    }

    private static String mode(Path p) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            String s = PosixFilePermissions.toString(perms);
            boolean open = perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
            return " (" + s + ", owner " + Files.getOwner(p).getName() + ")"
                + (open ? "\n                WARNING: readable beyond its owner; chmod 600 it (it holds a refresh token)" : "");
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s >= 86_400) {
            return s / 86_400 + " d " + (s % 86_400) / 3600 + " h";
        }
        if (s >= 3600) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return s / 60 + " min " + s % 60 + " s";
    }
}
