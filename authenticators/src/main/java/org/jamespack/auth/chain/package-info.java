/**
 * Stacking verifiers as a PAM stack stacks modules: {@link
 * org.jamespack.auth.chain.VerifierChain#of} takes members, each a verifier and a control word
 * ({@code required}, {@code requisite}, {@code sufficient}, {@code optional}), asked in order.
 *
 * <p>Every member gets the same login and password. pam_mapi's {@code try_first_pass} and
 * {@code use_first_pass}, which make a PAM module reuse the password an earlier module read, are
 * therefore implicit in James and have no setting.
 *
 * <p>The rules, in order of application (PAM's, with the two additions marked *):
 * <ol>
 * <li>{@code required}: a success is remembered; the first failure is remembered and the chain
 *     goes on (so that a caller cannot tell which member failed).</li>
 * <li>{@code requisite}: as required, but a failure ends the chain at once.</li>
 * <li>{@code sufficient}: a success ends the chain ACCEPTED when no required member failed
 *     before it (after such a failure it ends the chain with that failure); a failure is ignored.</li>
 * <li>{@code optional}: a success counts when nothing else decides; a failure is ignored.</li>
 * <li>At the end: the first required or requisite failure if any, else ACCEPTED if any member
 *     succeeded, else REJECTED ({@code NOT_DECIDED}).</li>
 * <li>* DISABLED is final, whatever the control word: the member verified the password and
 *     refused the account or the service, so it owns that account, and a later member must not
 *     overturn a policy decision (a feature switched off in Kopano must not be bypassed through
 *     LDAP holding the same password). PAM cannot tell "wrong password" from "account off" in
 *     its auth stack, so it has no such rule; this is the one departure from it.</li>
 * <li>* A REJECTED result becomes UNAVAILABLE when a member answered UNAVAILABLE while it could
 *     still have made the chain succeed (no required member had failed yet): nothing accepted
 *     plus an outage is an outage, not a wrong password (Dovecot's auth-request rule). So
 *     "Kopano {@code sufficient}, then LDAP {@code required}" answers a Kopano user UNAVAILABLE
 *     (SMTP 454, try again) while Kopano is down, not "wrong password"; an LDAP user still gets in.</li>
 * </ol>
 *
 * <p>pam_mapi's example "{@code auth sufficient pam_mapi.so try_first_pass quiet}, then the
 * system's users" becomes "Kopano {@code sufficient} with {@code quiet}, then LDAP (or James' own
 * users) {@code required}". A member that throws (a bug) counts as UNAVAILABLE.
 *
 * <p>This package has no settings of its own: the chain loader reads each member's
 * {@code control} and {@code name} attributes.
 */
@NullMarked
package org.jamespack.auth.chain;

import org.jspecify.annotations.NullMarked;
