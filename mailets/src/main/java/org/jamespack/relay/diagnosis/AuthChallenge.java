package org.jamespack.relay.diagnosis;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jcip.annotations.Immutable;

/**
 * The JSON a smarthost sends in its {@code 334} error challenge before refusing an XOAUTH2 or OAUTHBEARER token
 * (Google, Dovecot: {@code {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}}; RFC 7628 §3.2.2
 * for OAUTHBEARER, where {@code status} is an error code such as {@code invalid_token}). It names no secret, so it
 * travels in failure details ({@link #mark}) and is read back from them ({@link #find}). Immutable and thread-safe.
 *
 * <p>Read with a pattern rather than a JSON library: the object is flat, comes from the server (so anything in it
 * is only a hint), and a text that holds no such object simply has no challenge.
 *
 * @param status  the {@code status} member ({@code 400}, {@code 401}, {@code 403}, {@code invalid_token}, …)
 * @param scope   the {@code scope} member, when the server named one
 * @param schemes the {@code schemes} member, when present
 */
@Immutable
public record AuthChallenge(String status, Optional<String> scope, Optional<String> schemes) {

    /** The word before the JSON in a failure detail. */
    public static final String MARKER = "challenge ";

    private static final int MAX_JSON = 400;
    private static final Pattern OBJECT = Pattern.compile("\\{[^{}]{0," + MAX_JSON + "}\\}");

    public AuthChallenge {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(schemes, "schemes");
    }

    /** The first challenge object in {@code text} that has a {@code status}, if any. */
    public static Optional<AuthChallenge> find(String text) {
        Matcher m = OBJECT.matcher(text);
        while (m.find()) {
            String json = m.group();
            Optional<String> status = member(json, "status");
            if (status.isPresent()) {
                return Optional.of(new AuthChallenge(status.get(), member(json, "scope"), member(json, "schemes")));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code " (challenge JSON)"} for appending to a failure detail, or "" for an empty challenge; control characters
     * are dropped and the text is cut to a bounded length, since the server wrote it.
     */
    public static String mark(String json) {
        String clean = json.replaceAll("[\\p{Cntrl}]", "").strip();
        if (clean.isEmpty()) {
            return "";
        }
        if (clean.length() > MAX_JSON) {
            clean = clean.substring(0, MAX_JSON);
        }
        return " (" + MARKER + clean + ")";
    }

    private static Optional<String> member(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(?:\"([^\"]*)\"|(-?\\d+))").matcher(json);
        if (!m.find()) {
            return Optional.empty();
        }
        String v = m.group(1) != null ? m.group(1) : m.group(2);
        return v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }
}
