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
 * @param dataEndTimeout     time-out for the reply to the final {@code .} of a message (RFC 5321 4.5.3.2.6: 10 minutes): a
 *                           time-out there means sending the message again, possibly twice
 */
@Immutable
public record SmtpSettings(Duration connectTimeout, Duration readTimeout, Optional<Path> trustStore,
                           Optional<Secret> trustStorePassword, String trustStoreType, int maxAuthLine, Duration idleTimeout,
                           Optional<String> defaultHelo, Duration dataEndTimeout) {

    /** RFC 5321 4.5.3.2.6's time-out for the reply to the final {@code .}. */
    public static final Duration RFC5321_DATA_END_TIMEOUT = Duration.ofMinutes(10);

    public static final int RFC4954_AUTH_LINE = 12288;

    public SmtpSettings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(trustStoreType, "trustStoreType");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(defaultHelo, "defaultHelo");
        Objects.requireNonNull(dataEndTimeout, "dataEndTimeout");
    }

    public static SmtpSettings defaults() {
        return new SmtpSettings(Duration.ofSeconds(30), Duration.ofMinutes(2), Optional.empty(), Optional.empty(), "PKCS12",
            RFC4954_AUTH_LINE, Duration.ofSeconds(60), Optional.empty(), RFC5321_DATA_END_TIMEOUT);
    }

    public SmtpSettings withTrustStore(Path path, Optional<Secret> password, String type) {
        return new SmtpSettings(connectTimeout, readTimeout, Optional.of(path), password, type, maxAuthLine, idleTimeout, defaultHelo,
            dataEndTimeout);
    }

    public SmtpSettings withMaxAuthLine(int value) {
        return new SmtpSettings(connectTimeout, readTimeout, trustStore, trustStorePassword, trustStoreType, value, idleTimeout,
            defaultHelo, dataEndTimeout);
    }

    public SmtpSettings withDefaultHelo(String helo) {
        return new SmtpSettings(connectTimeout, readTimeout, trustStore, trustStorePassword, trustStoreType, maxAuthLine, idleTimeout,
            Optional.of(helo), dataEndTimeout);
    }

    public SmtpSettings withDataEndTimeout(Duration value) {
        return new SmtpSettings(connectTimeout, readTimeout, trustStore, trustStorePassword, trustStoreType, maxAuthLine, idleTimeout,
            defaultHelo, value);
    }

    public SmtpSettings withReadTimeout(Duration value) {
        return new SmtpSettings(connectTimeout, value, trustStore, trustStorePassword, trustStoreType, maxAuthLine, idleTimeout,
            defaultHelo, dataEndTimeout);
    }
}
