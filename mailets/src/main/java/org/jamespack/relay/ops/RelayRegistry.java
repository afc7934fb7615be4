package org.jamespack.relay.ops;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Singleton;

import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.RouteTable;

import net.jcip.annotations.ThreadSafe;

/**
 * The running relay mailets, for the Guice-bound health check and WebAdmin routes. Thread-safe.
 *
 * <p>Why a registry: James' mailet loader builds mailets itself (from {@code mailetcontainer.xml},
 * in a child injector), so Guice cannot hand a mailet instance to a health check. Both sides get
 * this one singleton instead: the mailet by {@code @Inject} in its constructor, registering itself
 * in {@code init()} and leaving in {@code destroy()}; {@link RelayHealthCheck} and
 * {@link RelayWebAdminRoutes} by {@code @Inject} too. {@link RelayOpsModule} binds it in James'
 * main injector; without that module, {@code @Singleton} still makes Guice create it just in time
 * in the root injector (Guice puts just-in-time bindings in the highest injector that can hold
 * them), so every relay shares it and nothing reads it.
 *
 * <p>It also shares the route tables the relays have loaded: a relay publishes the source of its smart-hosts file,
 * and {@code SenderHasRoute} (injected with the same singleton) looks the file up here instead of parsing it again.
 */
@Singleton
@ThreadSafe
public final class RelayRegistry {

    private final List<RelayView> relays = new CopyOnWriteArrayList<>();
    private final ConcurrentMap<Path, Published> routeFiles = new ConcurrentHashMap<>();

    @javax.inject.Inject
    public RelayRegistry() {
    }

    public void register(RelayView relay) {
        relays.add(relay);
    }

    public void unregister(RelayView relay) {
        relays.remove(relay);
    }

    /** The relays registered now, in registration order. */
    public List<RelayView> relays() {
        return List.copyOf(relays);
    }

    /** Makes {@code source}'s smart-hosts files available to {@link #smartHostsRoutes}. */
    public void publishRoutes(RouteSource source) {
        source.smartHostsFiles().forEach(f -> routeFiles.put(key(f), new Published(source, f)));
    }

    /** Withdraws what {@link #publishRoutes} made available, unless another source has replaced it since. */
    public void withdrawRoutes(RouteSource source) {
        source.smartHostsFiles().forEach(f -> routeFiles.remove(key(f), new Published(source, f)));
    }

    /**
     * The routes of the smart-hosts file {@code file} (the same file however spelt) as a running relay has them
     * loaded; empty when no running relay reads it.
     */
    public Optional<RouteTable> smartHostsRoutes(Path file) {
        Published p = routeFiles.get(key(file));
        return p == null ? Optional.empty() : p.source().smartHostsRoutes(p.file());
    }

    /** A relay's route source and the file as that source names it. */
    private record Published(RouteSource source, Path file) {
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }
}
