package org.jamespack.auth.james;

import org.jamespack.foundation.addon.PackAddOn;
import java.util.ServiceLoader;

import javax.inject.Singleton;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.server.core.configuration.Configuration;
import org.jamespack.foundation.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.BackendFactories;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;

import net.jcip.annotations.Immutable;

/**
 * The pack inside James' own launcher (memory, JPA or distributed; no main class of ours):
 * named in James' {@code conf/extensions.properties} as
 * {@code guice.extension.module=org.jamespack.auth.james.PackExtensionModule}, its jars in
 * {@code extensions-jars/}.
 *
 * <p>How James 3.8.1 uses it (james-server-guice-utils): {@code GuiceGenericLoader}, a singleton
 * of James' injector, builds one child injector from the listed modules, and every class James
 * loads by name afterwards (SMTP and POP3 handlers, IMAP processors of {@code imapPackages},
 * JMAP authentication strategies, mailets, WebAdmin {@code extensions.routes}, health checks of
 * {@code additional.healthchecks}) is made by that child injector. So the {@link AuthPack} bound
 * here as a singleton is the one pack of the process, shared by all of them: one verifier,
 * cache, throttle and audit log. A child injector cannot override James' own bindings (its users
 * repository, its mailbox {@code Authenticator}): the pack takes over at the protocol entry
 * points instead, which is why those name the pack's classes in James' XML.
 *
 * <p>The pack is built eagerly, when James makes the child injector, so that a bad
 * {@code <authpack>} element fails James' start with every problem listed (at ERROR), before a
 * client is served, and an enabled protocol whose logins would not reach the pack (IMAP without
 * {@link PackImapPackage}, JMAP, …) is named at ERROR ({@link LoginPathCheck}). The handlers require the pack: a handler named in James' XML without this
 * module fails James' start instead of silently falling back to James' stored passwords.
 *
 * <p>Immutable; James instantiates it through its injector (public no-argument constructor).
 */
@Immutable
public final class PackExtensionModule extends AbstractModule {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackExtensionModule.class);

    /** What an operator writes in {@code extensions.properties}. */
    public static final String EXTENSIONS_PROPERTY = "guice.extension.module=" + PackExtensionModule.class.getName();

    @Override
    protected void configure() {
        bind(AuthPackMetrics.class).asEagerSingleton();
        bind(AuthPackRoutes.class).in(com.google.inject.Scopes.SINGLETON);
        for (PackAddOn addOn : ServiceLoader.load(PackAddOn.class, PackExtensionModule.class.getClassLoader())) {
            addOn.extensionModule().ifPresent(module -> {
                LOGGER.info("authpack: add-on {} in James' extension injector", addOn.getClass().getName());
                install(module);
            });
        }
    }

    /** The one pack of this James process, from {@code <authpack>} in {@code usersrepository.xml}. */
    @Provides
    @Singleton
    AuthPack pack(FileSystem fileSystem, Configuration configuration) {
        try {
            AuthPack pack = JamesConfigFiles.loadAuthPack(fileSystem, configuration.configurationPath(), BackendFactories.standard());
            // a protocol left on James' own passwords is said at ERROR, once, before any client is served
            LoginPathCheck.run(fileSystem, configuration.configurationPath());
            // the verifier's connections are closed when the JVM ends: James 3.8.1 offers an
            // extension module no stop call, and an open LDAP pool must not outlive a stop
            Runtime.getRuntime().addShutdownHook(new Thread(pack::close, "authpack-close"));
            return pack;
        } catch (ConfigException e) {
            LOGGER.error("authpack: James cannot start with the pack: {}", e.getMessage());
            throw e;
        }
    }

    @Override
    public boolean equals(Object o) {
        // Guice de-duplicates equal modules: listed twice, installed once
        return o instanceof PackExtensionModule;
    }

    @Override
    public int hashCode() {
        return PackExtensionModule.class.hashCode();
    }
}
