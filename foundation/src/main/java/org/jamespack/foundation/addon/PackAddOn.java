package org.jamespack.foundation.addon;

import java.util.Optional;

import com.google.inject.Module;

/**
 * More of the pack: jars list implementations in
 * {@code META-INF/services/org.jamespack.foundation.addon.PackAddOn}. Under James' own launcher,
 * {@link PackExtensionModule} installs each {@link #extensionModule()} into James' extension
 * injector (the relay's shared registry); code that builds James itself installs {@link #module()}
 * over James' bindings ({@link AuthPackModule#addOnModules()}). Implementations are immutable.
 */
public interface PackAddOn {

    /** The Guice module to override James' with ({@code GuiceJamesServer#overrideWith}). */
    Module module();

    /**
     * The bindings for James' extension injector, where nothing of James' may be re-bound and
     * no set James owns may be added to (health checks and WebAdmin routes are named in
     * {@code healthcheck.properties} and {@code webadmin.properties} instead). None by default.
     */
    default Optional<Module> extensionModule() {
        return Optional.empty();
    }
}
