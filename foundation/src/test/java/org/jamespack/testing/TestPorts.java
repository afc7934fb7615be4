package org.jamespack.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import net.jcip.annotations.ThreadSafe;

/**
 * Port numbers for test servers that must be told their port before they bind it: James'
 * protocol servers and WebAdmin read it from XML, slapd and Dovecot from their command line or
 * configuration, and some tests need a port on which nothing listens. Thread-safe.
 *
 * <p>Why not "open a {@code ServerSocket(0)}, read its port, close it": that port comes from the
 * kernel's ephemeral range ({@code ip_local_port_range}, 32768–60999 on Debian), and between the
 * close and the server's own bind any outbound connection on the machine (an LDAP pool, an HTTP
 * client, Maven itself) may be given that very port. Whatever can bind port 0 and say what it
 * got (UnboundID, GreenMail, mock-oauth2-server, the JDK's HTTP server, the pack's stand-ins)
 * binds 0 instead and never comes here.
 *
 * <p>The ports handed out here lie below the ephemeral range, so no outbound connection is ever
 * given one, and each is reserved across every JVM on the machine by an exclusive lock on a file
 * {@code <port>.lock} in a shared folder ({@code /tmp/jamespack-test-ports}): two Surefire forks,
 * two Maven builds or a benchmark beside the suite never get the same number. The lock is held
 * until {@link ReservedPort#close()} (or until the JVM ends: the kernel drops a dead process's
 * locks, so a killed build leaves nothing behind). Before handing a port out it is bound once on
 * 127.0.0.1, so a port a foreign program listens on is skipped. What remains (a foreign program
 * binding the port between that check and the server's bind) is handled by the caller retrying
 * with fresh ports: {@link #retryOnBindFailure}.
 */
@ThreadSafe
public final class TestPorts {

    /** How many starts {@link #retryOnBindFailure} tries before giving up. */
    public static final int START_ATTEMPTS = 3;

    private static final int RANGE_SIZE = 10_000;
    private static final int LOWEST_ALLOWED = 10_000;
    private static final Range RANGE = Range.belowEphemeral();
    private static final Path LOCK_DIR = lockDirectory();
    /** Ports this JVM holds: a second {@code tryLock} on a file this JVM has locked throws instead of failing. */
    private static final Set<Integer> HELD = ConcurrentHashMap.newKeySet();
    /** Walks the range from a random start so that two JVMs rarely even try the same file. */
    private static final AtomicInteger CURSOR = new AtomicInteger(ThreadLocalRandom.current().nextInt(RANGE_SIZE));
    /** Ports reserved for the JVM's lifetime by {@link #closedPort()}. */
    private static final List<ReservedPort> FOR_EVER = new java.util.concurrent.CopyOnWriteArrayList<>();

    private TestPorts() {
    }

    /**
     * Reserves a port below the ephemeral range that nothing listens on now and that no other
     * caller of this class, in this JVM or another, is given until the reservation is closed.
     * The caller's server binds it; close the reservation after the server stopped.
     */
    public static ReservedPort reserve() {
        int size = RANGE.last() - RANGE.first() + 1;
        for (int i = 0; i < size; i++) {
            int port = RANGE.first() + Math.floorMod(CURSOR.getAndIncrement(), size);
            ReservedPort reserved = tryReserve(port);
            if (reserved != null) {
                return reserved;
            }
        }
        throw new IllegalStateException("no free test port in " + RANGE.first() + "-" + RANGE.last()
            + ": every one is reserved in " + LOCK_DIR + " or in use");
    }

    /**
     * A port on which nothing listens for the rest of this JVM's life: a connection to it is
     * refused. Reserved and never bound, so no other test server can appear on it.
     */
    public static int closedPort() {
        ReservedPort p = reserve();
        FOR_EVER.add(p);
        return p.number();
    }

    /** Whether {@code failure}, or one of its causes, says a port was already in use. */
    public static boolean isBindFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String message = t.getMessage();
            // Netty's native transports report EADDRINUSE as a plain IOException with the errno text
            if (message != null && message.toLowerCase(Locale.ROOT).contains("address already in use")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code start} until it does not fail for a port in use, at most {@link #START_ATTEMPTS}
     * times. Each run must reserve fresh ports and clean up after itself when it throws (stop
     * what it started, close its reservations). Any other failure is thrown at once.
     */
    public static <T> T retryOnBindFailure(Start<T> start) throws Exception {
        Exception last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return start.attempt();
            } catch (Exception e) {
                if (!isBindFailure(e)) {
                    throw e;
                }
                if (last != null) {
                    e.addSuppressed(last);
                }
                last = e;
            }
        }
        throw last;
    }

    /** One try at starting servers on freshly reserved ports. */
    @FunctionalInterface
    public interface Start<T> {
        T attempt() throws Exception;
    }

    /** One given port, or {@code null} when another holder or a listener has it; for {@code TestPortsTest}. */
    static ReservedPort tryReserveForTest(int port) {
        return tryReserve(port);
    }

    private static ReservedPort tryReserve(int port) {
        if (!HELD.add(port)) {
            return null;
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(LOCK_DIR.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null && bindable(port)) {
                return new ReservedPort(port, channel, lock);
            }
        } catch (IOException | OverlappingFileLockException e) {
            // another process holds it, or the file cannot be opened: try the next port
        }
        closeQuietly(channel);
        HELD.remove(port);
        return null;
    }

    private static boolean bindable(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void release(ReservedPort port, FileChannel channel, FileLock lock) {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below drops the lock as well
        }
        closeQuietly(channel);
        HELD.remove(port.number());
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // a lock file that will not close is released by the kernel when the JVM ends
            }
        }
    }

    private static Path lockDirectory() {
        // /tmp, not java.io.tmpdir: every JVM on the machine must meet in the same folder
        Path base = Files.isDirectory(Path.of("/tmp")) ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("jamespack-test-ports");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                // another user's build on the same machine must be able to add its lock files
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            if (!Files.isDirectory(dir)) {
                throw new UncheckedIOException(new IOException("cannot create the test port lock folder " + dir, e));
            }
        }
        return dir;
    }

    /** The band handed out: the {@value #RANGE_SIZE} ports just below the ephemeral range. */
    record Range(int first, int last) {
        static Range belowEphemeral() {
            int ephemeralFirst = 32_768;
            try {
                // readAllLines, not readString: on /proc files (size 0) the JDK 17 readString returns a truncated text
                String[] bounds = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
                ephemeralFirst = Integer.parseInt(bounds[0]);
            } catch (IOException | RuntimeException e) {
                // not Linux: 32768 is where the BSDs' and older Linux kernels' ranges start; Windows starts at 49152
            }
            int last = Math.min(ephemeralFirst, 32_768) - 1;
            int first = last - RANGE_SIZE + 1;
            if (first < LOWEST_ALLOWED) {
                throw new IllegalStateException("the ephemeral port range starts at " + ephemeralFirst
                    + ": no room below it for test ports (need " + RANGE_SIZE + " ports above " + LOWEST_ALLOWED + ")");
            }
            return new Range(first, last);
        }
    }
}
