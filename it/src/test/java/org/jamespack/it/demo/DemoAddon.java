package org.jamespack.it.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.google.inject.Module;

/**
 * The hook point for more of the demo (the XOAUTH2 smarthost relay and its OAuth2 server): an
 * add-on starts its own servers, edits the written {@code conf/} (e.g. replaces the
 * {@code <!-- authpack-demo:relay -->} marker in {@code mailetcontainer.xml}), may add Guice
 * modules, and adds lines to the banner. Add-ons are listed in {@link DemoServer#ADDONS}.
 *
 * <p>Implementations are used by the demo's main thread only.
 */
public interface DemoAddon extends AutoCloseable {

    /** Starts what the add-on needs and edits {@code confDir} before James reads it. */
    default void beforeJamesStarts(Path confDir, Map<String, String> variables) throws Exception {
    }

    /** Guice modules to override James' with. */
    default List<Module> modules() {
        return List.of();
    }

    /** Lines for the banner printed once James listens. */
    default List<String> banner() {
        return List.of();
    }

    @Override
    default void close() throws Exception {
    }
}
