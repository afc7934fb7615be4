package org.jamespack.relay.token;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.jamespack.foundation.Secret;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * A {@link TokenSource} that asks a credential broker over a UNIX socket, in cloud_mdir_sync's
 * protocol: the request is {@code SMTP user@domain}, the answer the raw XOAUTH2 string
 * {@code user=U\x01auth=Bearer T\x01\x01}, of which the token T is taken. The broker keeps its
 * tokens fresh, so every call asks it (a local socket round trip); the broker gives no expiry,
 * so the answer claims {@code assumedLifetime}.
 *
 * <p>The request is sent exactly as exim's {@code ${readsocket}} sends it: no line end, then the
 * write side is shut down (a half-close). cloud_mdir_sync's credential server reads the request
 * until end of file and only then answers, so a client that keeps its write side open waits
 * for ever. The answer is read until the broker closes, or until it ends with the two
 * {@code \x01} that close an XOAUTH2 string (the pack's own broker may keep the connection open
 * a little longer), bounded by {@code timeout} and {@link #MAX_ANSWER} bytes.
 *
 * <p>Thread-safe: each call opens its own connection. Written by hand because no library speaks
 * this one-line protocol; the JDK 16+ {@link UnixDomainSocketAddress} does the socket. The whole
 * exchange is bounded by {@code timeout} (a non-blocking channel and a selector, since UNIX
 * socket channels have no SO_TIMEOUT).
 *
 * <p>Failures: no socket, refused, time-out, empty answer: TRANSIENT (the broker may be starting
 * or still logging in); an answer for another user or without a bearer token: CREDENTIAL_BROKEN
 * for that call (the broker is misconfigured; it is asked again next time, since fixing it is
 * invisible from here).
 */
@ThreadSafe
public final class BrokerTokenSource implements TokenSource {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ASSUMED_LIFETIME = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(BrokerTokenSource.class);
    private static final int MAX_ANSWER = 64 * 1024;

    private final Path socket;
    private final String account;
    private final Duration timeout;
    private final Duration assumedLifetime;
    private final Clock clock;
    private final AtomicLong calls = new AtomicLong();
    private volatile @Nullable Instant lastSuccess;
    private volatile TokenOutcome.@Nullable Failure lastFailure;

    public BrokerTokenSource(Path socket, String account, Duration timeout, Duration assumedLifetime) {
        this(socket, account, timeout, assumedLifetime, Clock.systemUTC());
    }

    BrokerTokenSource(Path socket, String account, Duration timeout, Duration assumedLifetime, Clock clock) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.account = Objects.requireNonNull(account, "account");
        if (account.isEmpty() || account.chars().anyMatch(ch -> ch < 0x21 || ch == 0x7f)) {
            throw new IllegalArgumentException("account must be one word without control characters");
        }
        this.timeout = timeout;
        this.assumedLifetime = assumedLifetime;
        this.clock = clock;
    }

    @Override
    public TokenOutcome token(boolean forceRefresh) {
        calls.incrementAndGet();
        TokenOutcome outcome = ask();
        if (outcome instanceof TokenOutcome.Failure f) {
            lastFailure = f;
            LOG.warn("token for {} from broker {}: {}: {}", account, socket, f.kind(), f.detail());
        } else {
            lastSuccess = clock.instant();
            lastFailure = null;
        }
        return outcome;
    }

    private TokenOutcome ask() {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] answer;
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            ByteBuffer request = ByteBuffer.wrap(("SMTP " + account).getBytes(StandardCharsets.UTF_8));
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            while (request.hasRemaining()) {
                if (!await(selector, deadline)) {
                    return transientFailure("timed out sending the request");
                }
                ch.write(request);
            }
            // end of the request: a broker that reads to end of file answers only after this
            ch.shutdownOutput();
            key.interestOps(SelectionKey.OP_READ);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (true) {
                if (!await(selector, deadline)) {
                    wipe(received);
                    return transientFailure("timed out waiting for the answer");
                }
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                received.write(buf.array(), 0, buf.position());
                buf.clear();
                if (received.size() > MAX_ANSWER) {
                    wipe(received);
                    return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN,
                        "broker " + socket + " sent an over-long answer");
                }
                if (endsWithDoubleCtrlA(received)) {
                    break;
                }
            }
            answer = received.toByteArray();
            wipe(received);
        } catch (IOException e) {
            return transientFailure("cannot talk to the broker: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
        try {
            return parse(answer);
        } finally {
            Arrays.fill(answer, (byte) 0);
        }
    }

    /** Parses {@code user=U\x01auth=Bearer T\x01\x01}; messages never include the token. */
    TokenOutcome parse(byte[] answer) {
        String text = new String(answer, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return transientFailure("the broker answered nothing (unknown account, or no token yet)");
        }
        String user = null;
        String token = null;
        for (String part : text.split("\u0001")) {
            if (part.startsWith("user=")) {
                user = part.substring("user=".length());
            } else if (part.regionMatches(true, 0, "auth=Bearer ", 0, "auth=Bearer ".length())) {
                token = part.substring("auth=Bearer ".length()).trim();
            }
        }
        if (token == null || token.isEmpty()) {
            return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN,
                "broker " + socket + " answered without a bearer token");
        }
        if (user != null && !user.equalsIgnoreCase(account)) {
            return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN,
                "broker " + socket + " answered for another user (" + user + ")");
        }
        return new TokenOutcome.Token(Secret.of(token), clock.instant().plus(assumedLifetime));
    }

    private TokenOutcome.Failure transientFailure(String what) {
        return new TokenOutcome.Failure(TokenOutcome.Kind.TRANSIENT, "broker " + socket + ": " + what);
    }

    private static boolean await(Selector selector, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        int ready = selector.select(left);
        selector.selectedKeys().clear();
        return ready > 0 || deadline - System.nanoTime() > 0;
    }

    private static boolean endsWithDoubleCtrlA(ByteArrayOutputStream out) {
        byte[] b = out.toByteArray();
        boolean ends = b.length >= 2 && b[b.length - 1] == 1 && b[b.length - 2] == 1;
        Arrays.fill(b, (byte) 0);
        return ends;
    }

    private static void wipe(ByteArrayOutputStream out) {
        out.reset();
    }

    @Override
    public TokenStatus status() {
        TokenOutcome.Failure f = lastFailure;
        return new TokenStatus(account, "broker " + socket, java.util.Optional.empty(),
            java.util.Optional.ofNullable(lastSuccess),
            f == null ? java.util.Optional.empty() : java.util.Optional.of(f.kind()),
            f == null ? java.util.Optional.empty() : java.util.Optional.of(f.detail()),
            false, java.util.Optional.empty(), calls.get());
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public String toString() {
        return "BrokerTokenSource[" + account + ", " + socket + "]";
    }
}
