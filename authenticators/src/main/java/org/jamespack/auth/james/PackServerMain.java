package org.jamespack.auth.james;

import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.google.inject.Module;

import net.jcip.annotations.ThreadSafe;

/**
 * The stock James memory server with the pack: {@code MemoryJamesServerMain.createServer(conf)
 * .overrideWith(new AuthPackModule(…))}. Run it as James' own main is run (working directory
 * from {@code -Dworking.directory}, configuration in {@code conf/}); {@code <authpack>} in
 * {@code conf/usersrepository.xml} says which mode.
 *
 * <p>Thread-safe. SIGTERM and Ctrl-C stop James and close the pack's connections
 * ({@link #stopOnSignal()}); the JVM then exits even though James leaves a non-daemon mail-queue
 * thread behind after {@code stop()}.
 */
@ThreadSafe
public final class PackServerMain {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackServerMain.class);

    private final GuiceJamesServer server;
    private final AuthPack pack;

    private PackServerMain(GuiceJamesServer server, AuthPack pack) {
        this.server = server;
        this.pack = pack;
    }

    public static void main(String[] args) throws Exception {
        // as James' own MemoryJamesServerMain does: conf/jvm.properties becomes system properties
        org.apache.james.ExtraProperties.initialize();
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .usersRepository(UsersRepositoryModuleChooser.Implementation.DEFAULT)
            .build();
        PackServerMain running = start(configuration);
        running.stopOnSignal();
    }

    /**
     * Builds and starts James with the pack. {@code usersRepository(DEFAULT)} matters: an
     * {@code ldapHost} attribute would otherwise switch James to its own LDAP module.
     */
    public static PackServerMain start(MemoryJamesConfiguration configuration, Module... extraModules) throws Exception {
        PackServerMain main = create(configuration, extraModules);
        main.start();
        return main;
    }

    /**
     * Builds James with the pack without starting it, for a caller that must be able to
     * {@link #stop()} a start that never returns (James 3.8.1's WebAdmin waits for ever when its
     * port is taken).
     */
    public static PackServerMain create(MemoryJamesConfiguration configuration, Module... extraModules) {
        AuthPackModule packModule = AuthPackModule.fromConfiguration(configuration);
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .overrideWith(packModule)
            .overrideWith(addOnModules())
            .overrideWith(extraModules);
        return new PackServerMain(server, packModule.pack());
    }

    /**
     * Starts James. When the start fails, what had started is stopped (its ports, threads and
     * JMX names freed, so that a second start in the same JVM does not meet them) and the
     * pack's connections are closed before the failure is thrown.
     */
    public void start() throws Exception {
        try {
            server.start();
        } catch (Exception | Error e) {
            try {
                stop();
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The modules of every {@link PackAddOn} on the class path (the relay's operations module, …). */
    public static Module[] addOnModules() {
        java.util.List<Module> modules = new java.util.ArrayList<>();
        for (PackAddOn addOn : java.util.ServiceLoader.load(PackAddOn.class)) {
            LOGGER.info("authpack: add-on {}", addOn.getClass().getName());
            modules.add(addOn.module());
        }
        return modules.toArray(Module[]::new);
    }

    public GuiceJamesServer server() {
        return server;
    }

    public AuthPack pack() {
        return pack;
    }

    /** Stops James, then closes the pack's backends. Idempotent enough for a shutdown hook. */
    public void stop() {
        try {
            server.stop();
        } finally {
            pack.close();
        }
    }

    /**
     * Stops James and closes the pack when the JVM is asked to end (SIGTERM, Ctrl-C). The JVM
     * then exits once the hooks have run, whatever James' left-over queue thread does; a
     * programmatic {@link #stop()} is not enough to end a JVM, because that thread is not a daemon.
     */
    public void stopOnSignal() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOGGER.info("authpack: stopping James");
            stop();
        }, "authpack-shutdown"));
    }
}
