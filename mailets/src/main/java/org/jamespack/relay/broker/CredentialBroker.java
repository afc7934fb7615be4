package org.jamespack.relay.broker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jdk.net.ExtendedSocketOptions;
import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * A UNIX-socket server that hands the pack's fresh OAuth2 access tokens to exim, Postfix or a
 * script on the same host, in cloud_mdir_sync's protocol (see {@link BrokerProtocol}),
 * and only to the local users each account allows. Thread-safe: {@link #start()} and
 * {@link #close()} may be called from any thread; requests are answered by a bounded pool.
 *
 * <p>Access control has two layers. The socket file's mode and group decide who can connect at
 * all (cloud_mdir_sync's server has no other protection). Then, as Dovecot's imap-urlauth does with
 * {@code net_getunixcred}, the kernel's peer credentials ({@code SO_PEERCRED}) are
 * checked against the account's allow-list, so a member of the socket's group still gets only
 * the accounts named for it. A refusal is logged with account, peer and reason, never a token,
 * and answered as {@link BrokerSettings#refusal()} says.
 *
 * <p>The broker neither refreshes nor closes the token sources: they belong to whoever built the
 * resolver (the relay keeps them fresh); the broker asks {@link TokenSource#token(boolean)} per
 * request.
 *
 * <p>Written by hand: no maintained Java library serves this protocol or checks
 * {@code SO_PEERCRED}; the JDK's UNIX-domain channels (JDK 16+) do the socket work.
 */
@ThreadSafe
public final class CredentialBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialBroker.class);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final BrokerSettings settings;
    private final Map<String, Served> accounts;
    private final Clock clock;
    private final Object lock = new Object();
    @GuardedBy("lock")
    private @Nullable ServerSocketChannel server;
    @GuardedBy("lock")
    private @Nullable ThreadPoolExecutor workers;
    @GuardedBy("lock")
    private @Nullable Thread acceptor;
    @GuardedBy("lock")
    private boolean closed;
    /** The socket file's identity (device, inode), so that close() never removes a successor's socket. */
    @GuardedBy("lock")
    private @Nullable Object socketFileKey;

    private record Served(AccountPolicy policy, TokenSource source) {
    }

    CredentialBroker(BrokerSettings settings, Map<String, TokenSource> sources, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        Map<String, Served> byKey = new LinkedHashMap<>();
        for (AccountPolicy policy : settings.accounts()) {
            TokenSource source = sources.get(policy.account());
            if (source == null) {
                throw new IllegalArgumentException("no token source for account " + policy.account());
            }
            byKey.put(policy.key(), new Served(policy, source));
        }
        this.accounts = Map.copyOf(byKey);
    }

    /**
     * A broker, not yet started, serving each configured account from {@code resolver}, which
     * is asked once per account and throws {@link IllegalArgumentException} for an account it
     * has no source for.
     */
    public static CredentialBroker create(BrokerSettings settings, Function<String, TokenSource> resolver) {
        Map<String, TokenSource> sources = new LinkedHashMap<>();
        for (AccountPolicy policy : settings.accounts()) {
            sources.put(policy.account(), resolver.apply(policy.account()));
        }
        return new CredentialBroker(settings, sources, Clock.systemUTC());
    }

    /**
     * Reads the {@code <broker>} element and resolves every account's token source; problems
     * (including an account the resolver does not know) are recorded on {@code node.problems()}
     * with file and line. Use the result only when there were none, then call {@link #start()}.
     */
    public static CredentialBroker fromConfig(ConfigNode node, Function<String, TokenSource> resolver) {
        BrokerSettings settings = BrokerSettings.fromConfig(node);
        Map<String, TokenSource> sources = new LinkedHashMap<>();
        List<AccountPolicy> usable = new ArrayList<>();
        for (AccountPolicy policy : settings.accounts()) {
            try {
                TokenSource source = resolver.apply(policy.account());
                if (source == null) {
                    throw new IllegalArgumentException("no token source");
                }
                sources.put(policy.account(), source);
                usable.add(policy);
            } catch (IllegalArgumentException | IllegalStateException e) {
                node.problems().add(policy.location(), node.keyPath(BrokerSettings.ACCOUNT),
                    "'" + policy.account() + "' has no token source: " + e.getMessage());
            }
        }
        return new CredentialBroker(settings.withAccounts(usable), sources, Clock.systemUTC());
    }

    public BrokerSettings settings() {
        return settings;
    }

    /** The socket path clients connect to. */
    public Path socketPath() {
        return settings.socket();
    }

    /**
     * Creates the socket and starts answering. The socket is bound under a temporary name, given
     * its mode and group, then renamed into place, so that it is never reachable with looser
     * permissions than configured; a stale socket left by a dead broker is replaced, a live one
     * or any other kind of file at the path is left alone and start fails.
     *
     * @throws IOException when the directory is unsafe, the path is taken, or the socket cannot be made
     */
    public CredentialBroker start() throws IOException {
        synchronized (lock) {
            if (closed || server != null) {
                throw new IllegalStateException("the broker was already started or closed");
            }
            SocketFiles.requirePeerCredentials();
            Path socket = settings.socket().toAbsolutePath();
            Path parent = socket.getParent();
            SocketFiles.checkDirectory(parent);
            SocketFiles.checkExisting(socket);
            // Bound inside a directory of our own (0700, created here: mkdir never follows a link and fails if the name
            // exists), so nobody can swap the socket for a symlink between bind and chmod. The JDK cannot chmod a socket
            // without following links (its no-follow path opens the file, which a socket refuses), so the private
            // directory is what makes the chmod safe; the file is checked to be a socket before it is touched.
            Path privateDir = Files.createDirectory(parent.resolve(".broker-" + Long.toHexString(RANDOM.nextLong())),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path temporary = privateDir.resolve("s");
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(temporary), settings.queue() + settings.threads());
                if (!SocketFiles.isSocket(temporary)) {
                    throw new IOException(temporary + " is not the socket just bound");
                }
                Files.setPosixFilePermissions(temporary, settings.mode());
                if (settings.group().isPresent()) {
                    Files.getFileAttributeView(temporary, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setGroup(settings.group().get());
                }
                Files.move(temporary, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                socketFileKey = SocketFiles.fileKey(socket);
            } catch (IOException | RuntimeException e) {
                channel.close();
                Files.deleteIfExists(temporary);
                throw e;
            } finally {
                Files.deleteIfExists(privateDir);
            }
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                // queue 0 means no waiting place at all; an ArrayBlockingQueue cannot have capacity 0
                settings.queue() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(settings.queue()), r -> {
                    Thread t = new Thread(r, "broker-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
            Thread accepting = new Thread(() -> acceptLoop(channel, pool), "broker-accept");
            accepting.setDaemon(true);
            server = channel;
            workers = pool;
            acceptor = accepting;
            accepting.start();
            LOG.info("credential broker listening on {} (mode {}, group {}) for {} account(s)", socket,
                PosixFilePermissions.toString(settings.mode()),
                settings.group().map(Object::toString).orElse("of the process"), accounts.size());
            return this;
        }
    }

    /** Stops accepting, lets running answers finish briefly, and removes the socket file. */
    @Override
    public void close() {
        ServerSocketChannel channel;
        ThreadPoolExecutor pool;
        Thread accepting;
        Object fileKey;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            fileKey = socketFileKey;
            channel = server;
            pool = workers;
            accepting = acceptor;
        }
        if (channel == null || pool == null || accepting == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("credential broker: closing the socket failed: {}", e.toString());
        }
        pool.shutdown();
        try {
            accepting.join(2000);
            if (!pool.awaitTermination(settings.readTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            // the JDK leaves a UNIX socket's file behind on close; remove it only if it is still ours
            Path socket = settings.socket().toAbsolutePath();
            if (SocketFiles.isSocket(socket) && fileKey != null && fileKey.equals(SocketFiles.fileKey(socket))) {
                Files.deleteIfExists(socket);
            }
        } catch (IOException e) {
            LOG.warn("credential broker: removing {} failed: {}", settings.socket(), e.toString());
        }
        LOG.info("credential broker on {} stopped", settings.socket());
    }

    private void acceptLoop(ServerSocketChannel channel, ThreadPoolExecutor pool) {
        while (channel.isOpen()) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                // also AsynchronousCloseException: close() ended the loop
                return;
            } catch (IOException e) {
                // e.g. out of file descriptors: say so, wait a little instead of spinning
                LOG.warn("credential broker: accept failed: {}", e.toString());
                sleepQuietly(100);
                continue;
            }
            try {
                pool.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                LOG.warn("credential broker: busy ({} workers, {} waiting), connection closed unanswered",
                    settings.threads(), settings.queue());
                refuseBusy(client);
            }
        }
    }

    private void refuseBusy(SocketChannel client) {
        try (client) {
            if (settings.refusal() == BrokerSettings.RefusalReply.LINE) {
                client.configureBlocking(false);
                client.write(ByteBuffer.wrap(BrokerProtocol.errorLine("busy")));
            }
        } catch (IOException e) {
            LOG.debug("credential broker: closing a refused connection failed: {}", e.toString());
        }
    }

    /** Answers one connection: peer credentials, request, decision, answer, close. */
    private void serve(SocketChannel client) {
        try (client; Selector selector = Selector.open()) {
            PeerIdentity peer = PeerIdentity.of(client.getOption(ExtendedSocketOptions.SO_PEERCRED));
            client.configureBlocking(false);
            SelectionKey key = client.register(selector, SelectionKey.OP_READ);
            Read read = readRequest(client, selector);
            byte[] answer;
            if (read instanceof Line line) {
                answer = answer(line.bytes(), peer);
            } else if (read instanceof TooLong) {
                answer = refuse("bad-request", "?", peer, "request longer than " + settings.maxRequestBytes() + " bytes");
            } else {
                LOG.info("credential broker: refused peer {}: no complete request within {} ms", peer.describe(),
                    settings.readTimeout().toMillis());
                return;
            }
            try {
                key.interestOps(SelectionKey.OP_WRITE);
                write(client, selector, answer);
            } finally {
                Arrays.fill(answer, (byte) 0);
            }
        } catch (IOException e) {
            LOG.info("credential broker: connection failed: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("credential broker: unexpected failure answering a request", e);
        }
    }

    /** What reading a request gave. */
    private sealed interface Read permits Line, TooLong, TimedOut {
    }

    /** The request line without its newline. */
    private record Line(byte[] bytes) implements Read {
    }

    private record TooLong() implements Read {
    }

    private record TimedOut() implements Read {
    }

    /** The request line; a request ends at a newline, at the client's half-close, or after a quiet pause. */
    private Read readRequest(SocketChannel client, Selector selector) throws IOException {
        int max = settings.maxRequestBytes();
        ByteBuffer buffer = ByteBuffer.allocate(max + 1);
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        long quiet = settings.requestQuiet().toNanos();
        while (true) {
            int read = client.read(buffer);
            int newline = indexOf(buffer, (byte) '\n');
            if (newline >= 0) {
                return new Line(Arrays.copyOf(buffer.array(), newline));
            }
            if (buffer.position() > max) {
                return new TooLong();
            }
            if (read < 0) {
                // exim's readsocket half-closes after writing the request (its default shutdown=yes)
                return new Line(Arrays.copyOf(buffer.array(), buffer.position()));
            }
            if (read > 0) {
                continue;
            }
            long left = deadline - System.nanoTime();
            boolean partial = buffer.position() > 0;
            long wait = partial ? Math.min(quiet, left) : left;
            if (wait <= 0 || selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait))) == 0) {
                if (partial) {
                    // readsocket with shutdown=no neither ends the line nor half-closes: a quiet pause ends the request
                    return new Line(Arrays.copyOf(buffer.array(), buffer.position()));
                }
                if (deadline - System.nanoTime() <= 0) {
                    return new TimedOut();
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private byte[] answer(byte[] line, PeerIdentity peer) {
        BrokerProtocol.Request request = BrokerProtocol.parse(line);
        if (request instanceof BrokerProtocol.Invalid invalid) {
            return refuse("bad-request", "?", peer, invalid.why());
        }
        String account = ((BrokerProtocol.Valid) request).account();
        Served served = accounts.get(AccountPolicy.key(account));
        if (served == null) {
            // same answer as "not allowed", so that a local user cannot list the accounts
            return refuse("denied", account, peer, "unknown account");
        }
        if (!served.policy().allows(peer.user())) {
            return refuse("denied", account, peer, "peer not in the account's allow-list " + served.policy().allowed());
        }
        TokenOutcome outcome = served.source().token(false);
        if (outcome instanceof TokenOutcome.Failure failure) {
            return refuse("unavailable", account, peer, "no token: " + failure.kind() + ": " + failure.detail());
        }
        TokenOutcome.Token token = (TokenOutcome.Token) outcome;
        Instant now = clock.instant();
        if (!token.expiresAt().isAfter(now)) {
            return refuse("unavailable", account, peer, "the token source returned a token that expired at " + token.expiresAt());
        }
        if (!BrokerProtocol.isWireSafe(token.accessToken())) {
            return refuse("unavailable", account, peer, "the token is not an RFC 6750 b64token and would be mangled on the way");
        }
        LOG.info("credential broker: served account {} to peer {} (token valid until {})", served.policy().account(),
            peer.describe(), token.expiresAt());
        return BrokerProtocol.answer(served.policy().account(), token.accessToken());
    }

    private byte[] refuse(String code, String account, PeerIdentity peer, String reason) {
        if (code.equals("bad-request")) {
            // a client speaking another protocol is a configuration slip, not an attempt on a token
            LOG.info("credential broker: refused account {} to peer {}: {}", account, peer.describe(), reason);
        } else {
            LOG.warn("credential broker: refused account {} to peer {}: {}", account, peer.describe(), reason);
        }
        return settings.refusal() == BrokerSettings.RefusalReply.LINE ? BrokerProtocol.errorLine(code) : new byte[0];
    }

    private void write(SocketChannel client, Selector selector, byte[] answer) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(answer);
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        while (out.hasRemaining()) {
            if (client.write(out) == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("client did not read the answer in time");
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
            }
        }
    }

    private static int indexOf(ByteBuffer buffer, byte b) {
        byte[] a = buffer.array();
        for (int i = 0; i < buffer.position(); i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
