/**
 * Verifying stored {@code userPassword} values locally ({@link
 * org.jamespack.auth.hash.PasswordHashes#check}), for the LDAP verifier's {@code compare}
 * mode: the RFC 2307 {@code {SCHEME}} syntax of OpenLDAP, 389-DS and Dovecot, see {@link
 * org.jamespack.auth.hash.PasswordHashes} for the schemes and the forms each accepts.
 *
 * <p>Cost parameters in a stored value (bcrypt cost, SHA-crypt rounds, PBKDF2 iterations and key
 * length, Argon2 m/t/p) are checked against {@link org.jamespack.auth.hash.HashLimits} before
 * anything is computed: a value over a cap is {@code OVER_LIMIT}, never a match. The caps and the
 * dummy value for unknown users are settings of the LDAP verifier ({@code org.jamespack.auth.ldap},
 * whose package documentation explains the defaults); this package has no settings of its own.
 */
@NullMarked
package org.jamespack.auth.hash;

import org.jspecify.annotations.NullMarked;
