package org.jamespack.relay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.webadmin.utils.JsonTransformerModule;
import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;

class RelayRegistryTest {

    @Test
    void registryShouldBeSharedByChildInjectorsWhenNoModuleBindsIt() {
        // James' mailet loader asks child injectors of the server's injector; without RelayOpsModule
        // the just-in-time @Singleton must still be one instance, held by the parent
        Injector server = Guice.createInjector();
        RelayRegistry a = server.createChildInjector().getInstance(RelayRegistry.class);
        RelayRegistry b = server.createChildInjector().getInstance(RelayRegistry.class);

        assertThat(a).isSameAs(b).isSameAs(server.getInstance(RelayRegistry.class));
    }

    @Test
    void registryShouldBeTheOneTheHealthCheckReadsWhenModuleInstalled() {
        // James' WebAdmin module provides the JSON transformer's (empty) module set
        Injector server = Guice.createInjector(new RelayOpsModule(),
            binder -> Multibinder.newSetBinder(binder, JsonTransformerModule.class));
        RelayRegistry mailetSide = server.createChildInjector().getInstance(RelayRegistry.class);

        assertThat(server.getInstance(RelayRegistry.class)).isSameAs(mailetSide);
    }
}
