/**
 * Verifying stored {@code userPassword} values locally ({@link
 * org.jamespack.auth.hash.PasswordHashes#check}), for the LDAP verifier's {@code compare}
 * mode: the RFC 2307 {@code {SCHEME}} syntax of OpenLDAP, 389-DS and Dovecot, see {@link
 * org.jamespack.auth.hash.PasswordHashes} for the schemes and the forms each accepts.
 *
 * <p>This package has no settings.
 */
@NullMarked
package org.jamespack.auth.hash;

import org.jspecify.annotations.NullMarked;
