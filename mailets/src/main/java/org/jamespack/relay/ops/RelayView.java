package org.jamespack.relay.ops;

import java.util.List;

/**
 * What one running relay mailet shows to health checks and WebAdmin. Implementations are
 * thread-safe: James' WebAdmin threads and health probes call them while mail flows.
 */
public interface RelayView {

    /** The mailet's name in {@code mailetcontainer.xml}. */
    String name();

    /**
     * One report per route of the current route table.
     *
     * @param countQueued whether to browse the relay's queue for {@link RouteReport#queued()} (WebAdmin
     *                    asks; the health check, which James runs periodically, does not: browsing costs
     *                    one pass over the queue)
     */
    List<RouteReport> routeReports(boolean countQueued);

    /**
     * Operator action after fixing an account (new refresh token, consent granted, SMTP AUTH turned
     * on): forgets the CREDENTIAL_BROKEN state of its token sources and the refusals of its routes,
     * then asks for a token at once so that the answer shows whether the fix worked.
     *
     * @return how many routes authenticate as {@code account} (0: the account is unknown here)
     */
    int resetAccount(String account);
}
