package org.jamespack.relay.ops;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.inject.Singleton;

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
 */
@Singleton
@ThreadSafe
public final class RelayRegistry {

    private final List<RelayView> relays = new CopyOnWriteArrayList<>();

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
}
