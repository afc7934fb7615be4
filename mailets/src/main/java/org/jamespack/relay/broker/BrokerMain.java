package org.jamespack.relay.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

import org.jamespack.foundation.config.ConfigException;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.ThreadSafe;

/**
 * Runs a {@link CredentialBroker} without James, for exim or Postfix hosts:
 * {@code java -cp … org.jamespack.relay.broker.BrokerMain broker.xml}. The file's root element
 * is the {@code <broker>} element of the package settings table. Stateless and thread-safe.
 *
 * <p>Exit codes: 0 stopped by a signal, 2 usage or configuration error, 3 the socket could not
 * be created, 4 no token sources ({@link BrokerTokenSources}) on the class path.
 */
@ThreadSafe
public final class BrokerMain {

    public static final int EXIT_USAGE = 2;
    public static final int EXIT_SOCKET = 3;
    public static final int EXIT_NO_SOURCES = 4;

    private BrokerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    /**
     * Reads {@code configFile}, resolves its accounts and starts the broker.
     *
     * @throws ConfigException listing every problem of the file, with file and line
     * @throws IOException     when the socket cannot be created
     */
    public static CredentialBroker start(Path configFile, Function<String, TokenSource> resolver) throws IOException {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode root = ConfigNode.parse(configFile, problems);
        if (!root.name().equals("broker")) {
            problems.add(root.location(), root.name(), "the root element must be <broker>");
        }
        CredentialBroker broker = CredentialBroker.fromConfig(root, resolver);
        problems.throwIfAny();
        return broker.start();
    }

    /** The launcher's body; returns the exit code instead of exiting, for the {@code token} tool and tests. */
    public static int run(String[] args, PrintStream err) {
        if (!usable(args, err)) {
            return EXIT_USAGE;
        }
        Iterator<BrokerTokenSources> found = ServiceLoader.load(BrokerTokenSources.class).iterator();
        if (!found.hasNext()) {
            err.println("no token sources on the class path (no " + BrokerTokenSources.class.getName()
                + " service): run the broker through James or the token tool");
            return EXIT_NO_SOURCES;
        }
        return run(args, err, found.next());
    }

    /** Whether {@code args} is one readable configuration file; says why not on {@code err}. */
    private static boolean usable(String[] args, PrintStream err) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("usage: BrokerMain BROKER.xml   (serves OAuth2 tokens on a UNIX socket; see the package documentation)");
            return false;
        }
        Path config = Path.of(args[0]);
        if (!Files.isReadable(config)) {
            err.println(config + ": cannot be read");
            return false;
        }
        return true;
    }

    /**
     * As {@link #run(String[], PrintStream)}, with the token sources given (the {@code token}
     * tool's); closes {@code sources} when the broker stops.
     */
    public static int run(String[] args, PrintStream err, BrokerTokenSources sources) {
        try (sources) {
            if (!usable(args, err)) {
                return EXIT_USAGE;
            }
            Path config = Path.of(args[0]);
            return serveUntilStopped(config, sources.resolver(config), err);
        }
    }

    private static int serveUntilStopped(Path config, Function<String, TokenSource> resolver, PrintStream err) {
        CredentialBroker broker;
        try {
            broker = start(config, resolver);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("the broker socket could not be created: " + e.getMessage());
            return EXIT_SOCKET;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            broker.close();
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
