package org.jamespack.relay.token;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * sasl-xoauth2's global configuration ({@code /etc/sasl-xoauth2.conf}): the defaults for the
 * optional keys of every token file ({@code client_id}, {@code client_secret},
 * {@code token_endpoint}, {@code proxy}, {@code ca_bundle_file}, {@code ca_certs_dir},
 * {@code refresh_window}) plus its logging keys ({@code always_log_to_syslog},
 * {@code log_to_syslog_on_failure}, {@code log_full_trace_on_failure}), which the pack reads but
 * does not act on (it logs through SLF4J).
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows a value.
 */
@Immutable
public final class SaslXoauth2Config {

    /** Where sasl-xoauth2 looks by default. */
    public static final Path DEFAULT_PATH = Path.of("/etc/sasl-xoauth2.conf");

    /** sasl-xoauth2's built-in endpoint: Google's legacy one. */
    public static final String DEFAULT_TOKEN_ENDPOINT = "https://accounts.google.com/o/oauth2/token";

    public static final String ALWAYS_LOG_TO_SYSLOG = "always_log_to_syslog";
    public static final String LOG_TO_SYSLOG_ON_FAILURE = "log_to_syslog_on_failure";
    public static final String LOG_FULL_TRACE_ON_FAILURE = "log_full_trace_on_failure";

    private static final SaslXoauth2Config EMPTY = new SaslXoauth2Config(Map.of());

    private final Map<String, Object> fields;

    private SaslXoauth2Config(Map<String, Object> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** No global file: every default is sasl-xoauth2's built-in one. */
    public static SaslXoauth2Config empty() {
        return EMPTY;
    }

    /** Parses the file's text; see {@link TokenFile#parse(String)} for the error contract. */
    public static SaslXoauth2Config parse(String json) {
        SaslXoauth2Config config = new SaslXoauth2Config(JsonText.parseObject(json, TokenFile.KEY_ORDER));
        config.refreshWindow();
        return config;
    }

    public static SaslXoauth2Config read(Path path) throws IOException {
        return parse(Files.readString(path, StandardCharsets.UTF_8));
    }

    public Optional<String> clientId() {
        return nonEmpty(TokenFile.CLIENT_ID);
    }

    public Optional<Secret> clientSecret() {
        return nonEmpty(TokenFile.CLIENT_SECRET).map(Secret::of);
    }

    public Optional<String> tokenEndpoint() {
        return nonEmpty(TokenFile.TOKEN_ENDPOINT);
    }

    public Optional<String> proxy() {
        return nonEmpty(TokenFile.PROXY);
    }

    public Optional<String> caBundleFile() {
        return nonEmpty(TokenFile.CA_BUNDLE_FILE);
    }

    public Optional<String> caCertsDir() {
        return nonEmpty(TokenFile.CA_CERTS_DIR);
    }

    public Optional<Duration> refreshWindow() {
        return TokenFile.refreshWindow(fields);
    }

    public boolean alwaysLogToSyslog() {
        return yes(ALWAYS_LOG_TO_SYSLOG, false);
    }

    public boolean logToSyslogOnFailure() {
        return yes(LOG_TO_SYSLOG_ON_FAILURE, true);
    }

    public boolean logFullTraceOnFailure() {
        return yes(LOG_FULL_TRACE_ON_FAILURE, false);
    }

    /** The keys present. */
    public List<String> keys() {
        return List.copyOf(fields.keySet());
    }

    private boolean yes(String key, boolean defaultValue) {
        return nonEmpty(key).map(v -> v.toLowerCase(Locale.ROOT))
            .map(v -> v.equals("yes") || v.equals("true"))
            .orElse(defaultValue);
    }

    private Optional<String> nonEmpty(String key) {
        return JsonText.string(fields, key).filter(s -> !s.isEmpty());
    }

    @Override
    public String toString() {
        return "SaslXoauth2Config" + fields.keySet();
    }
}
