package org.jamespack.auth.james;

import org.jamespack.foundation.addon.PackAddOn;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.server.core.configuration.Configuration;
import org.apache.james.user.api.UsersRepository;

import org.apache.james.webadmin.Routes;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.BackendFactories;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import com.google.inject.multibindings.Multibinder;

import net.jcip.annotations.Immutable;

/**
 * The Guice module that puts the pack into James: it shares one {@link AuthPack} (so the SMTP
 * hook, the users repository and the mailbox authenticator ask the same verifier, cache and
 * throttle), its metrics ({@link AuthPackMetrics}) and WebAdmin routes ({@link AuthPackRoutes}), and, as the mode says, replaces James' {@code UsersRepository} (directory mode) or
 * its mailbox {@code Authenticator} (password-only mode). Use it with
 * {@code MemoryJamesServerMain.createServer(conf).overrideWith(module)} where one's own code
 * builds James (the pack's in-process tests): James' {@code extensions.properties} modules cannot
 * override a binding, so James' own launcher takes {@link PackExtensionModule} instead.
 *
 * <p>Immutable and thread-safe. The mode is read from {@code usersrepository.xml} when the module
 * is made, before the injector exists, because it decides which bindings the module makes; a bad
 * configuration fails here, with every problem listed, before any port is opened.
 */
@Immutable
public final class AuthPackModule extends AbstractModule {

    private final AuthPack pack;

    public AuthPackModule(AuthPack pack) {
        this.pack = pack;
    }

    /** Reads {@code <authpack>} from the configuration's {@code usersrepository.xml}. */
    public static AuthPackModule fromConfiguration(Configuration configuration) {
        return fromConfiguration(configuration, BackendFactories.standard());
    }

    /** As {@link #fromConfiguration(Configuration)} with a table of backends of the caller's choice. */
    public static AuthPackModule fromConfiguration(Configuration configuration, BackendFactories factories) {
        return new AuthPackModule(JamesConfigFiles.loadAuthPack(configuration, factories));
    }

    /** The modules of every {@link PackAddOn} on the class path (the relay's operations module, …), to override James' with. */
    public static com.google.inject.Module[] addOnModules() {
        java.util.List<com.google.inject.Module> modules = new java.util.ArrayList<>();
        for (PackAddOn addOn : java.util.ServiceLoader.load(PackAddOn.class)) {
            modules.add(addOn.module());
        }
        return modules.toArray(com.google.inject.Module[]::new);
    }

    /** The pack this module binds; its owner closes it after James stops. */
    public AuthPack pack() {
        return pack;
    }

    @Override
    protected void configure() {
        bind(AuthPack.class).toInstance(pack);
        // plugs James' metrics into the pack as soon as the injector exists
        bind(AuthPackMetrics.class).asEagerSingleton();
        bind(AuthPackRoutes.class).in(Scopes.SINGLETON);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(AuthPackRoutes.class);
        switch (pack.mode()) {
            case DIRECTORY:
                bind(PackUsersRepository.class).in(Scopes.SINGLETON);
                bind(UsersRepository.class).to(PackUsersRepository.class);
                break;
            case PASSWORD_ONLY:
                bind(PackAuthenticator.class).in(Scopes.SINGLETON);
                bind(Authenticator.class).to(PackAuthenticator.class);
                break;
            default:
                throw new IllegalStateException("unknown mode " + pack.mode());
        }
    }
}
