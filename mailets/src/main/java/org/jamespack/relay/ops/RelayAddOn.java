package org.jamespack.relay.ops;

import java.util.Optional;

import org.jamespack.foundation.addon.PackAddOn;

import com.google.inject.Module;

import net.jcip.annotations.Immutable;

/**
 * The relay's operations for the pack: listed in this jar's
 * {@code META-INF/services/org.jamespack.foundation.addon.PackAddOn}, so that dropping the relay jar
 * beside the authenticators is enough ({@link #extensionModule()} under James' own launcher,
 * {@link RelayOpsModule} where code builds James itself). Immutable.
 */
@Immutable
public final class RelayAddOn implements PackAddOn {

    @Override
    public Module module() {
        return new RelayOpsModule();
    }

    /**
     * Under James' own launcher ({@code PackExtensionModule}): the one {@link RelayRegistry} of
     * the process, shared by the relay mailets, {@link RelayHealthCheck} (named in
     * {@code healthcheck.properties} {@code additional.healthchecks}) and {@link RelayWebAdminRoutes}
     * (named in {@code webadmin.properties} {@code extensions.routes}), all made by James' extension
     * injector. Without this binding each of them would get a registry of its own.
     */
    @Override
    public Optional<Module> extensionModule() {
        return Optional.of(new RelayExtensionModule());
    }
}
