package org.jamespack.relay.smtp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * How the relay's SMTP client connects. Immutable.
 *
 * @param connectTimeout     TCP connect time-out
 * @param readTimeout        time-out for each server reply (and writes)
 * @param trustStore         trust store for smarthost certificates; empty: the JVM's default CAs
 * @param trustStorePassword its password, if any
 * @param trustStoreType     {@code PKCS12} or {@code JKS}
 * @param maxAuthLine        longest {@code AUTH} line that carries the initial response (RFC 4954: 12288)
 * @param idleTimeout        how long an idle connection is kept for the next message of its route
 * @param defaultHelo        EHLO name for routes without {@code helo=}; empty: the local host name (a DNS lookup per connection)
 */
@Immutable
public record SmtpSettings(Duration connectTimeout, Duration readTimeout, Optional<Path> trustStore,
                           Optional<Secret> trustStorePassword, String trustStoreType, int maxAuthLine, Duration idleTimeout,
                           Optional<String> defaultHelo) {

    public static final int RFC4954_AUTH_LINE = 12288;

    public SmtpSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(trustStoreType, "trustStoreType");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(defaultHelo, "defaultHelo");
    }

    public static SmtpSettings defaults() {
        return new SmtpSettings(Duration.ofSeconds(30), Duration.ofMinutes(2), Optional.empty(), Optional.empty(), "PKCS12",
            RFC4954_AUTH_LINE, Duration.ofSeconds(60), Optional.empty());
    }

    public SmtpSettings withTrustStore(Path path, Optional<Secret> password, String type) {
        return new SmtpSettings(connectTimeout, readTimeout, Optional.of(path), password, type, maxAuthLine, idleTimeout, defaultHelo);
    }

    public SmtpSettings withMaxAuthLine(int value) {
        return new SmtpSettings(connectTimeout, readTimeout, trustStore, trustStorePassword, trustStoreType, value, idleTimeout,
            defaultHelo);
    }
}
