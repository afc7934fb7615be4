package org.jamespack.relay.ops;

import java.util.List;

/**
 * What one running relay mailet shows to health checks and WebAdmin. Implementations are
 * thread-safe: James' WebAdmin threads and health probes call them while mail flows.
 */
public interface RelayView {

    /** The mailet's name in {@code mailetcontainer.xml}. */
    String name();

    /** One report per route of the current route table. */
    List<RouteReport> routeReports();
}
