package org.jamespack.relay.ops;

import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.webadmin.Routes;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import net.jcip.annotations.Immutable;

/**
 * The Guice module of the relay's operations side: the shared {@link RelayRegistry}, the health
 * check {@code xoauth2-relay} and the WebAdmin route {@code /xoauth2-relay/routes}, given to
 * {@code GuiceJamesServer.overrideWith} by code that builds James itself (James' own launcher uses
 * {@link RelayAddOn#extensionModule()} instead). Immutable and stateless.
 */
@Immutable
public final class RelayOpsModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(RelayRegistry.class).in(Scopes.SINGLETON);
        bind(RelayHealthCheck.class).in(Scopes.SINGLETON);
        bind(RelayWebAdminRoutes.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), HealthCheck.class).addBinding().to(RelayHealthCheck.class);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(RelayWebAdminRoutes.class);
    }

    @Override
    public boolean equals(Object o) {
        // Guice de-duplicates equal modules: installing it twice (launcher and test) is harmless
        return o instanceof RelayOpsModule;
    }

    @Override
    public int hashCode() {
        return RelayOpsModule.class.hashCode();
    }
}
