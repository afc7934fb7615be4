package org.jamespack.relay.ops;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

import net.jcip.annotations.Immutable;

/**
 * The relay's operations inside James' own launcher, for a James that runs the relay without
 * the authenticators: named in {@code conf/extensions.properties} as
 * {@code guice.extension.module=org.jamespack.relay.ops.RelayExtensionModule}. It makes the
 * {@link RelayRegistry} one per James process, so that the relay mailets, {@link RelayHealthCheck}
 * (in {@code healthcheck.properties} {@code additional.healthchecks}) and
 * {@link RelayWebAdminRoutes} (in {@code webadmin.properties} {@code extensions.routes}), which
 * James' extension injector makes, all see the same routes. Without it each would get a registry
 * of its own and the health check would report no route.
 *
 * <p>Where the authenticators' {@code PackExtensionModule} is listed, it installs this module
 * itself ({@link RelayAddOn#extensionModule()}); listing both is harmless (Guice installs equal
 * modules once). Immutable; James instantiates it through its injector.
 */
@Immutable
public final class RelayExtensionModule extends AbstractModule {

    /** What an operator writes in {@code extensions.properties}. */
    public static final String EXTENSIONS_PROPERTY = "guice.extension.module=" + RelayExtensionModule.class.getName();

    @Override
    protected void configure() {
        bind(RelayRegistry.class).in(Scopes.SINGLETON);
        bind(RelayHealthCheck.class).in(Scopes.SINGLETON);
        bind(RelayWebAdminRoutes.class).in(Scopes.SINGLETON);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayExtensionModule;
    }

    @Override
    public int hashCode() {
        return RelayExtensionModule.class.hashCode();
    }
}
