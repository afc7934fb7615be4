package org.jamespack.auth.james;

import com.google.inject.Module;

/**
 * More of the pack for its launcher: jars on the class path list implementations in
 * {@code META-INF/services/org.jamespack.auth.james.PackAddOn}, and {@link PackServerMain} installs
 * their modules after the pack's own (the relay jar adds its health check and WebAdmin route this
 * way). Implementations are immutable.
 */
public interface PackAddOn {

    /** The Guice module to override James' with. */
    Module module();
}
