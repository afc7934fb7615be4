package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * One login to check: the name the client typed, its password, the protocol it came by and,
 * when known, the client's address.
 *
 * <p>Immutable and thread-safe. The password is a {@link Secret}, so printing an attempt never
 * prints the password.
 *
 * @param login    the login exactly as the client sent it (never null, may be empty)
 * @param password the password (never null, may be empty: verifiers reject it before any I/O)
 * @param protocol the protocol of the login
 * @param client   the client's address, empty when the caller does not know it
 */
@Immutable
public record LoginAttempt(String login, Secret password, Protocol protocol, Optional<InetAddress> client) {

    public LoginAttempt {
        Objects.requireNonNull(login, "login");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(client, "client");
    }

    public static LoginAttempt of(String login, Secret password, Protocol protocol) {
        return new LoginAttempt(login, password, protocol, Optional.empty());
    }

    public LoginAttempt withLogin(String otherLogin) {
        return new LoginAttempt(otherLogin, password, protocol, client);
    }

    public LoginAttempt withClient(InetAddress address) {
        return new LoginAttempt(login, password, protocol, Optional.of(address));
    }
}
