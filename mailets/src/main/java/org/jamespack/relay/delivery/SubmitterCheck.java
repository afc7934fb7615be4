package org.jamespack.relay.delivery;

import java.util.Locale;
import java.util.Optional;

import org.jamespack.relay.route.Route;

import net.jcip.annotations.Immutable;

/**
 * Decides whether a message may go out through its route's account: the envelope sender picks the
 * route, so without this check anyone who can put mail into James' transport processor (any
 * authenticated user, any local process) sends through another user's token or password.
 * Immutable and thread-safe when its {@link Ownership} is.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>a route without an account ({@code user=}) uses nobody's credential: always allowed, as for RemoteDelivery;</li>
 *   <li>the null sender reaches a route only through {@code nullSender=default-route}, which is the operator's
 *   explicit choice for bounces: allowed;</li>
 *   <li>no authenticated submitter (local processes, mailets, authorised networks): allowed only when the route's
 *   {@code unauthenticated=} (else the mailet's {@code unauthenticated}) says {@code allow};</li>
 *   <li>a route with {@code submitters=}: allowed exactly for the users it names, as any sender its key matches;</li>
 *   <li>otherwise the submitter must own the sender: the same address (case-insensitive), or one James maps to
 *   that user ({@link Ownership}: aliases and domain aliases of the recipient rewrite table, the user of a
 *   non-virtual-hosting James).</li>
 * </ol>
 */
@Immutable
public final class SubmitterCheck {

    /** Whether James considers {@code submitter} (a James user name) the owner of {@code sender} (an address). */
    @FunctionalInterface
    public interface Ownership {
        boolean owns(String submitter, String sender);

        /** Exact address match only (no James to ask). */
        Ownership EXACT = (submitter, sender) -> false;
    }

    private final boolean unauthenticatedByDefault;
    private final Ownership ownership;

    /**
     * @param unauthenticatedByDefault the mailet's {@code unauthenticated} setting: whether routes that do not say
     *                                 take mail without an authenticated submitter
     * @param ownership                James' view of who owns which address, asked when the address differs from the user
     */
    public SubmitterCheck(boolean unauthenticatedByDefault, Ownership ownership) {
        this.unauthenticatedByDefault = unauthenticatedByDefault;
        this.ownership = ownership;
    }

    /**
     * Why the message of {@code sender} (empty: the null sender), submitted by {@code submitter} (empty: nobody
     * authenticated), may not use {@code route}; empty when it may.
     */
    public Optional<String> refusal(Optional<String> sender, Optional<String> submitter, Route route) {
        if (route.user().isEmpty() || sender.isEmpty()) {
            return Optional.empty();
        }
        String where = "route '" + route.key() + "' (" + route.origin() + ", account " + route.user().get() + ")";
        if (submitter.isEmpty()) {
            return route.unauthenticated().orElse(unauthenticatedByDefault) ? Optional.empty()
                : Optional.of("sender " + sender.get() + " was not submitted by an authenticated user (a local process, a mailet "
                    + "or an authorised network), and " + where + " takes such mail only with unauthenticated=allow");
        }
        String user = submitter.get();
        if (!route.submitters().isEmpty()) {
            return route.submitters().contains(user.toLowerCase(Locale.ROOT)) ? Optional.empty()
                : Optional.of("authenticated user " + user + " is not among the submitters of " + where);
        }
        if (user.equalsIgnoreCase(sender.get()) || ownership.owns(user, sender.get())) {
            return Optional.empty();
        }
        return Optional.of("authenticated user " + user + " does not own the sender address " + sender.get() + " of " + where);
    }
}
