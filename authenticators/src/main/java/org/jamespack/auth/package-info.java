/**
 * The James-free core of the authenticators: a {@link org.jamespack.auth.CredentialVerifier}
 * checks a {@link org.jamespack.auth.LoginAttempt} and returns a
 * {@link org.jamespack.auth.Verdict} (ACCEPTED, REJECTED, DISABLED, UNAVAILABLE); passwords
 * travel as {@link org.jamespack.foundation.Secret}, which never prints; the
 * {@link org.jamespack.auth.InputGuard} refuses empty passwords, control characters and
 * over-long input before any backend is asked.
 *
 * <p>Nothing here imports James: the {@code james} package adapts these types to James'
 * {@code UsersRepository}, mailbox {@code Authenticator} and SMTP {@code AuthHook}.
 *
 * <p>This package has no settings of its own. Limits: logins up to
 * {@value org.jamespack.auth.InputGuard#MAX_LOGIN_LENGTH} characters, passwords up to
 * {@value org.jamespack.auth.InputGuard#MAX_PASSWORD_LENGTH}.
 */
@NullMarked
package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import org.jspecify.annotations.NullMarked;
