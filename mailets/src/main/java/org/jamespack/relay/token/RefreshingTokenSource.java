package org.jamespack.relay.token;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.jamespack.foundation.Secret;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * A {@link TokenSource} for one account that caches its access token and refreshes it through a
 * {@link TokenGrant} when {@code now + window >= expiry}. Thread-safe and single-flight: however
 * many threads ask at once, one endpoint call is made and all share its answer.
 *
 * <p>Two ways to keep the refresh token:
 * <ul>
 *   <li>{@linkplain #inMemory in memory} (client credentials, JWT bearer, or a refresh token
 *   given in the configuration: a rotated one lives until restart);</li>
 *   <li>in a {@linkplain #tokenFile sasl-xoauth2 token file}: every refresh runs under a
 *   {@link FileChannel} lock on a side file ({@code <file>.lock}), so processes sharing the file
 *   (this JVM, another James) make one endpoint call (sasl-xoauth2 itself takes no lock:
 *   its refreshes are not serialised with ours, but what it writes is picked up); before calling, the file is re-read when its inode, mtime or size changed,
 *   and a token another process just wrote is used instead of refreshing again; a new token
 *   (and a rotated refresh token, or the old one when none came back) is written atomically
 *   with mode 0600 ({@link TokenFile#writeAtomically}).</li>
 * </ul>
 *
 * <p>After a CREDENTIAL_BROKEN answer ({@code invalid_grant}, …) the source stops calling the
 * endpoint and keeps answering CREDENTIAL_BROKEN with the reason, until the token file changes
 * (the operator put in a new refresh token) or {@link #reset()} is called. A transient failure
 * while the cached token has not yet expired (only entered the window) returns the cached token.
 *
 * <p>Why the default window is 10 minutes and not sasl-xoauth2's 10 seconds: Microsoft's High
 * Volume Email refuses tokens that expire soon with {@code 501 5.5.127}, and a token fetched at
 * the start of a long SMTP session must still be valid at its end.
 */
@ThreadSafe
public final class RefreshingTokenSource implements TokenSource {

    /** The default refresh window: see the class comment for why not sasl-xoauth2's 10 s. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(RefreshingTokenSource.class);

    private final String account;
    private final String description;
    private final Clock clock;
    private final @Nullable Path file;
    private final @Nullable Function<TokenFile, TokenGrant> grants;
    private final @Nullable Function<TokenFile, Duration> windows;
    private final ReentrantLock lock;
    /** The token file's {@code user} key as last read; read without the lock by {@link #authIdentity()}. */
    private volatile Optional<String> fileUser = Optional.empty();
    private final AtomicLong endpointCalls = new AtomicLong();

    private volatile @Nullable Cached current;
    private volatile Duration window;
    private volatile @Nullable String brokenReason;
    private volatile @Nullable Instant lastRefresh;
    private volatile TokenOutcome.@Nullable Kind lastFailureKind;
    private volatile @Nullable String lastFailure;
    private volatile @Nullable Instant refreshTokenSince;

    @GuardedBy("lock")
    private @Nullable TokenGrant grant;
    @GuardedBy("lock")
    private Optional<Secret> refreshToken;
    @GuardedBy("lock")
    private @Nullable TokenFile loaded;
    @GuardedBy("lock")
    private @Nullable FileStamp stamp = FileStamp.NEVER;
    @GuardedBy("lock")
    private @Nullable FileStamp brokenStamp;

    private RefreshingTokenSource(String account, String description, Clock clock, @Nullable Path file,
                                  @Nullable TokenGrant grant, @Nullable Function<TokenFile, TokenGrant> grants,
                                  @Nullable Function<TokenFile, Duration> windows, Optional<Secret> refreshToken,
                                  Duration window) {
        this.account = Objects.requireNonNull(account, "account");
        this.description = Objects.requireNonNull(description, "description");
        this.clock = clock;
        this.file = file == null ? null : file.toAbsolutePath().normalize();
        this.grant = grant;
        this.grants = grants;
        this.windows = windows;
        this.refreshToken = refreshToken;
        this.window = window;
        this.lock = this.file == null ? new ReentrantLock() : TokenFileLock.inJvm(this.file);
    }

    /**
     * A source that keeps its refresh token (if its grant uses one) in memory.
     *
     * @param description for logs and status, e.g. {@code tokenSource m365}; no secret
     */
    public static RefreshingTokenSource inMemory(String account, String description, TokenGrant grant,
                                                 Optional<Secret> refreshToken, Duration window) {
        return inMemory(account, description, grant, refreshToken, window, Clock.systemUTC());
    }

    static RefreshingTokenSource inMemory(String account, String description, TokenGrant grant,
                                          Optional<Secret> refreshToken, Duration window, Clock clock) {
        return new RefreshingTokenSource(account, description, clock, null, grant, null, null, refreshToken, window);
    }

    /**
     * A source backed by a sasl-xoauth2 token file.
     *
     * @param grants  builds the grant from the file's contents (its {@code client_id},
     *                {@code token_endpoint}, … over the defaults); an
     *                {@link IllegalArgumentException} makes the account CREDENTIAL_BROKEN
     *                until the file changes
     * @param windows the refresh window for the file's contents
     */
    public static RefreshingTokenSource tokenFile(String account, String description, Path file,
                                                  Function<TokenFile, TokenGrant> grants,
                                                  Function<TokenFile, Duration> windows) {
        return tokenFile(account, description, file, grants, windows, Clock.systemUTC());
    }

    static RefreshingTokenSource tokenFile(String account, String description, Path file,
                                           Function<TokenFile, TokenGrant> grants,
                                           Function<TokenFile, Duration> windows, Clock clock) {
        return new RefreshingTokenSource(account, description, clock, file, null, grants, windows, Optional.empty(),
            DEFAULT_WINDOW);
    }

    @Override
    public TokenOutcome token(boolean forceRefresh) {
        Cached seen = current;
        if (!forceRefresh && brokenReason == null && seen != null && fresh(seen)) {
            return seen.outcome();
        }
        lock.lock();
        try {
            return underLock(forceRefresh, seen);
        } finally {
            lock.unlock();
        }
    }

    @GuardedBy("lock")
    private TokenOutcome underLock(boolean force, @Nullable Cached seen) {
        if (file == null) {
            return decide(force, seen);
        }
        try (TokenFileLock ignored = TokenFileLock.acquire(file)) {
            reloadIfChanged();
            return decide(force, seen);
        }
    }

    @GuardedBy("lock")
    private TokenOutcome decide(boolean force, @Nullable Cached seen) {
        String broken = brokenReason;
        if (broken != null) {
            return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, broken);
        }
        Cached c = current;
        // Another thread or process refreshed while this one waited: use its token.
        if (c != null && fresh(c) && (!force || !c.sameAs(seen))) {
            return c.outcome();
        }
        return refresh(force, c);
    }

    @GuardedBy("lock")
    private TokenOutcome refresh(boolean force, @Nullable Cached before) {
        TokenGrant g = Objects.requireNonNull(grant, "grant");
        Optional<Secret> oldRefresh = refreshToken;
        Instant started = clock.instant();
        endpointCalls.incrementAndGet();
        GrantResult result = g.obtain(oldRefresh);
        if (result instanceof GrantResult.Issued issued) {
            Cached fresh = new Cached(issued.accessToken(), issued.expiresAt());
            current = fresh;
            lastRefresh = started;
            lastFailure = null;
            lastFailureKind = null;
            boolean rotated = issued.refreshToken().isPresent() && !issued.refreshToken().equals(oldRefresh);
            if (rotated) {
                refreshTokenSince = started;
            }
            if (issued.refreshToken().isPresent()) {
                refreshToken = issued.refreshToken();
            }
            if (file != null) {
                persist(issued);
            }
            LOG.info("token for {} from {}: refreshed, valid until {}{}", account, description, issued.expiresAt(),
                rotated ? ", refresh token rotated" : "");
            return fresh.outcome();
        }
        GrantResult.Failed failed = (GrantResult.Failed) result;
        lastFailure = failed.detail();
        lastFailureKind = failed.kind();
        if (failed.kind() == TokenOutcome.Kind.CREDENTIAL_BROKEN) {
            markBroken(failed.detail());
            LOG.error("token for {} from {}: credential broken, no more endpoint calls until the token file changes"
                + " or an operator resets it: {}", account, description, failed.detail());
            return new TokenOutcome.Failure(failed.kind(), failed.detail());
        }
        LOG.warn("token for {} from {}: temporary failure: {}", account, description, failed.detail());
        if (!force && before != null && clock.instant().isBefore(before.expiresAt())) {
            // Inside the window but not expired: still usable; the next call tries again.
            return before.outcome();
        }
        return new TokenOutcome.Failure(failed.kind(), failed.detail());
    }

    @GuardedBy("lock")
    private void persist(GrantResult.Issued issued) {
        TokenFile base = Objects.requireNonNull(loaded, "loaded");
        TokenFile updated = base.withTokens(issued.accessToken(), issued.expiresAt(), issued.refreshToken());
        try {
            updated.writeAtomically(Objects.requireNonNull(file))
                .ifPresent(changed -> LOG.warn("token for {}: {}", account, changed));
            loaded = updated;
            fileUser = updated.user();
            stamp = FileStamp.of(file);
        } catch (IOException e) {
            // The token still works from memory, and the next refresh uses the newest refresh
            // token (kept in memory below) until the file changes on disk; losing the mail over
            // a file that cannot be written is never the answer.
            loaded = updated;
            fileUser = updated.user();
            LOG.warn("token for {}: cannot write {}: {}", account, file, e.getMessage());
            lastFailure = "cannot write token file " + file + ": " + e.getMessage();
            lastFailureKind = TokenOutcome.Kind.TRANSIENT;
        }
    }

    @GuardedBy("lock")
    private void reloadIfChanged() {
        Path path = Objects.requireNonNull(file);
        FileStamp now = FileStamp.of(path);
        if (Objects.equals(now, stamp)) {
            return;
        }
        boolean firstLoad = stamp == FileStamp.NEVER;
        stamp = now;
        if (brokenReason != null && !Objects.equals(brokenStamp, now)) {
            LOG.info("token for {}: {} changed, calling the endpoint again", account, path);
            clearBroken();
        }
        if (now == null) {
            markBroken("token file " + path + " does not exist");
            return;
        }
        TokenFile read;
        TokenGrant built;
        Duration w;
        try {
            read = TokenFile.read(path);
            built = Objects.requireNonNull(grants).apply(read);
            w = Objects.requireNonNull(windows).apply(read);
        } catch (IOException e) {
            markBroken("token file " + path + " cannot be read: " + e.getClass().getSimpleName());
            return;
        } catch (IllegalArgumentException e) {
            markBroken("token file " + path + ": " + e.getMessage());
            return;
        }
        Optional<Secret> newRefresh = Optional.of(read.refreshToken());
        if (!firstLoad && !newRefresh.equals(refreshToken)) {
            refreshTokenSince = now.modified().toInstant();
        }
        loaded = read;
        fileUser = read.user();
        grant = built;
        window = w;
        refreshToken = newRefresh;
        current = read.accessToken().map(t -> new Cached(t, read.expiry())).orElse(null);
    }

    @GuardedBy("lock")
    private void markBroken(String reason) {
        brokenReason = reason;
        brokenStamp = stamp;
        lastFailure = reason;
        lastFailureKind = TokenOutcome.Kind.CREDENTIAL_BROKEN;
    }

    private void clearBroken() {
        brokenReason = null;
        brokenStamp = null;
    }

    @Override
    public void reset() {
        lock.lock();
        try {
            if (brokenReason != null) {
                LOG.info("token for {} from {}: reset by operator", account, description);
            }
            clearBroken();
            if (file != null) {
                stamp = FileStamp.NEVER;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean refreshIfIdle(Duration maxIdle) {
        lock.lock();
        try {
            if (file != null) {
                try (TokenFileLock ignored = TokenFileLock.acquire(file)) {
                    reloadIfChanged();
                }
            }
            if (brokenReason != null || grant == null || !grant.usesRefreshToken()) {
                return false;
            }
            Instant last = lastRefresh;
            if (file != null && stamp != null && stamp != FileStamp.NEVER) {
                Instant written = stamp.modified().toInstant();
                last = last == null || written.isAfter(last) ? written : last;
            }
            if (last != null && Duration.between(last, clock.instant()).compareTo(maxIdle) < 0) {
                return false;
            }
            LOG.info("token for {} from {}: idle since {}, refreshing to keep the refresh token alive", account,
                description, last == null ? "start" : last);
            token(true);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<String> authIdentity() {
        return fileUser;
    }

    @Override
    public TokenStatus status() {
        Cached c = current;
        Instant since = refreshTokenSince;
        String failure = lastFailure;
        return new TokenStatus(account, description,
            c == null ? Optional.empty() : Optional.of(c.expiresAt()),
            Optional.ofNullable(lastRefresh),
            Optional.ofNullable(lastFailureKind),
            Optional.ofNullable(failure),
            brokenReason != null,
            since == null ? Optional.empty() : Optional.of(Duration.between(since, clock.instant())),
            endpointCalls.get());
    }

    @Override
    public String account() {
        return account;
    }

    /** The refresh window currently applied. */
    public Duration window() {
        return window;
    }

    private boolean fresh(Cached c) {
        return clock.instant().plus(window).isBefore(c.expiresAt());
    }

    @Override
    public String toString() {
        return "RefreshingTokenSource[" + account + ", " + description + "]";
    }

    /** A cached token; never printed with its value. */
    private record Cached(Secret token, Instant expiresAt) {
        TokenOutcome outcome() {
            return new TokenOutcome.Token(token, expiresAt);
        }

        boolean sameAs(@Nullable Cached other) {
            return other != null && other.expiresAt.equals(expiresAt) && other.token.equals(token);
        }
    }

    /** What tells that another process replaced the file: inode (a rename changes it), mtime, size. */
    private record FileStamp(@Nullable Object fileKey, FileTime modified, long size) {
        static final FileStamp NEVER = new FileStamp(null, FileTime.fromMillis(Long.MIN_VALUE), -1);

        static @Nullable FileStamp of(Path path) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                return new FileStamp(a.fileKey(), a.lastModifiedTime(), a.size());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
