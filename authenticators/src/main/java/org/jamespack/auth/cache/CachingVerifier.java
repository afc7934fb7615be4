package org.jamespack.auth.cache;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;

import net.jcip.annotations.ThreadSafe;

/**
 * Thread-safe: a verdict cache in front of any {@link CredentialVerifier} (a backend or a
 * chain), so that a client that logs in every minute does not cost a directory round trip
 * each time.
 *
 * <p>Rules, after Dovecot's auth cache ({@code src/auth/passdb-cache.c}, {@code auth-request.c}):
 * <ul>
 * <li>Only ACCEPTED and REJECTED are cached, each with its own time-to-live. DISABLED and
 *     UNAVAILABLE never are: a DISABLED answer even drops the entry, so that a switched-off
 *     account is not served from the cache, stale or not.</li>
 * <li>An entry is keyed by (login as typed, protocol) and holds one ACCEPTED and one REJECTED
 *     slot, each with a hash of the password it was given for. A password that matches neither
 *     slot is a miss and goes to the backend: a mismatch against a cached success is a miss,
 *     never a cached failure. A newly accepted password replaces the old positive slot, so a
 *     changed password never revives the old one; a REJECTED answer for the very password of the
 *     positive slot empties that slot.</li>
 * <li>Serve-stale (off by default): when the backend answers UNAVAILABLE, a positive slot
 *     that matches the password and is younger than {@link CacheSettings#staleMaxAge()} is
 *     served and counted. A REJECTED slot is never served in an outage and never turns into an
 *     ACCEPTED one; the answer is then UNAVAILABLE.</li>
 * <li>Input is checked before the cache, at the pack's entrance ({@code InputGuard}): what it
 *     refuses never reaches the cache, so it is neither cached nor counted.</li>
 * </ul>
 *
 * <p>An entry never holds a password, only a keyed hash of it ({@link AttemptHasher}:
 * HMAC-SHA256 by default, PBKDF2 on request, and why).
 *
 * <p>Size is bounded by {@link CacheSettings#maxEntries()} (Caffeine's W-TinyLFU eviction);
 * entries leave memory when neither slot can be used any more (positive: TTL or stale bound;
 * negative: TTL). {@link #invalidate(String)} (by user: every login form of the account) and
 * {@link #invalidateAll()} are for an operator (WebAdmin); an invalidation also voids the
 * answers of backend calls in flight when it happened, so a password changed mid-call is not
 * cached from the old answer.
 *
 * <p><b>The price of {@code positiveTtl}.</b> A cached ACCEPTED answer is served without asking
 * the backend, so an old password, a disabled or locked account, or a deleted one keeps working
 * for up to {@code positiveTtl} (default 10 minutes) after the change in the directory, unless
 * the operator invalidates the user (WebAdmin {@code DELETE /authpack/cache/users/{login}}) or
 * the whole cache. Only the password that was accepted keeps working (another one is a miss);
 * an operator who needs changes to bite at once sets {@code positiveTtl} to 0.
 *
 * <p>Logs carry the login, protocol and verdict, never the password or its hash.
 */
@ThreadSafe
public final class CachingVerifier implements CredentialVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(CachingVerifier.class);

    private final CacheSettings settings;
    private final CredentialVerifier delegate;
    /** Says which entry a login names, for invalidation by user; empty when the backend cannot (Kopano, chains). */
    private final Optional<UserDirectory> directory;
    private final Ticker ticker;
    private final AttemptHasher hasher;
    private final Cache<Key, Entry> entries;
    private final AtomicLong invalidations = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder staleServed = new LongAdder();

    /**
     * A cache with {@code settings} in front of {@code delegate}; closing it closes the delegate.
     * When the delegate is also a {@link UserDirectory} (one LDAP backend), {@link #invalidate}
     * asks it which cached logins name the same entry.
     */
    public CachingVerifier(CacheSettings settings, CredentialVerifier delegate) {
        this(settings, delegate, Ticker.systemTicker());
    }

    /** For tests: {@code ticker} gives the time in nanoseconds. */
    CachingVerifier(CacheSettings settings, CredentialVerifier delegate, Ticker ticker) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.directory = delegate instanceof UserDirectory d ? Optional.of(d) : Optional.empty();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.hasher = new AttemptHasher(settings.passwordHash(), settings.hashIterations());
        this.entries = Caffeine.newBuilder()
            .maximumSize(settings.maxEntries())
            .expireAfter(new EntryExpiry())
            .ticker(ticker)
            // evictions run on the calling thread: no ForkJoinPool task per write, and tests are deterministic
            .executor(Runnable::run)
            .build();
    }

    /**
     * Builds a cache from the {@code <cache>} element {@code cacheNode} (keys in the package
     * documentation). Problems are recorded on {@code cacheNode.problems()}, and the defaults
     * stand in for wrong values, so the caller throws once for the whole file.
     */
    public static CachingVerifier fromConfig(ConfigNode cacheNode, CredentialVerifier delegate) {
        return new CachingVerifier(CacheSettings.from(cacheNode), delegate);
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        Key key = new Key(attempt.login(), attempt.protocol());
        byte[] hash = hasher.hash(attempt);
        long now = ticker.read();
        Entry cached = entries.getIfPresent(key);
        if (cached != null) {
            Optional<Verdict> fresh = cached.freshAnswer(hash, now, settings);
            if (fresh.isPresent()) {
                hits.increment();
                LOG.debug("cache hit: login={} protocol={} verdict={}", LogSafe.lazy(attempt.login()), attempt.protocol(), fresh.get());
                return fresh.get();
            }
        }
        misses.increment();
        long epoch = invalidations.get();
        Verdict verdict = delegate.verify(attempt);
        long answered = ticker.read();
        switch (verdict.state()) {
            case ACCEPTED:
                if (!settings.positiveTtl().isZero()) {
                    store(key, epoch, old -> Entry.orEmpty(old).withPositive(hash, answered, verdict));
                } else {
                    store(key, epoch, old -> Entry.orEmpty(old).withoutPositive(hash));
                }
                return verdict;
            case REJECTED:
                store(key, epoch, old -> {
                    Entry e = Entry.orEmpty(old).withoutPositive(hash);
                    return settings.negativeTtl().isZero() ? e : e.withNegative(hash, answered, verdict);
                });
                return verdict;
            case DISABLED:
                // the account changed: nothing cached for it may be served again, not even stale
                entries.invalidate(key);
                return verdict;
            case UNAVAILABLE:
                return stale(key, hash, answered, attempt).orElse(verdict);
            default:
                throw new IllegalStateException("unknown verdict state " + verdict.state());
        }
    }

    private Optional<Verdict> stale(Key key, byte[] hash, long now, LoginAttempt attempt) {
        if (!settings.servesStale()) {
            return Optional.empty();
        }
        Entry cached = entries.getIfPresent(key);
        if (cached == null || !cached.positiveMatches(hash) || now - cached.positiveAt >= settings.staleMaxAge().toNanos()) {
            return Optional.empty();
        }
        staleServed.increment();
        Verdict served = cached.positive.withDetailPrefix("stale cache");
        LOG.info("backend unavailable, serving a stale cached answer: login={} protocol={} age={}s",
            LogSafe.of(attempt.login()), attempt.protocol(), Duration.ofNanos(now - cached.positiveAt).toSeconds());
        return Optional.of(served);
    }

    private void store(Key key, long epoch, java.util.function.UnaryOperator<@Nullable Entry> update) {
        entries.asMap().compute(key, (k, old) -> {
            // an invalidation while the backend was asked voids its answer: it may predate a password change
            if (invalidations.get() != epoch) {
                return old;
            }
            Entry next = update.apply(old);
            return next.isEmpty() ? null : next;
        });
    }

    /**
     * Forgets every entry of the <em>user</em> {@code login} names, for every protocol: not only
     * the login as typed but every login form that reached the same account, so that an operator
     * who changed a password or disabled an account is not defeated by a client that logs in as
     * {@code ALICE} or {@code alice@example.org} instead of {@code alice}. An entry goes when
     * <ul>
     * <li>its login equals {@code login} ignoring case, or has the same local part (the text
     *     before the last {@code @}, ignoring case): {@code alice}, {@code Alice@example.org} and
     *     {@code alice@other.example} all go, which may drop a namesake's entry too (that costs
     *     the namesake one backend check, never a wrong answer);</li>
     * <li>or, when the backend is a directory ({@link UserDirectory}) and the entry holds an
     *     ACCEPTED answer, the directory resolves its login to the same user as {@code login}
     *     (e.g. {@code uid} {@code alice} and {@code mail} {@code a.smith@example.org}), or to no
     *     user at all (an entry the directory no longer has is stale whoever it was). This costs
     *     one directory search per distinct cached login with an ACCEPTED answer not already
     *     matched, once per invalidation, an operator's action. While the directory cannot
     *     answer, every such entry goes: the cache cannot tell who is who, and a miss is only
     *     slower. A REJECTED answer keeps nothing working, so it goes by name only.</li>
     * </ul>
     * Answers of backend calls in flight are voided as well (see the class documentation).
     *
     * @return how many (login, protocol) entries were dropped
     */
    public int invalidate(String login) {
        Objects.requireNonNull(login, "login");
        invalidations.incrementAndGet();
        Set<String> logins = new HashSet<>();
        Set<String> localParts = new HashSet<>();
        addForm(login, logins, localParts);
        Optional<String> canonical = Optional.empty();
        boolean directoryDown = false;
        if (directory.isPresent()) {
            try {
                canonical = directory.get().lookup(login);
            } catch (BackendUnavailableException | RuntimeException e) {
                directoryDown = true;
                LOG.warn("auth cache: the directory cannot say which entries {} names ({}); dropping every accepted entry",
                    LogSafe.of(login), LogSafe.of(String.valueOf(e.getMessage()), 400));
            }
            canonical.ifPresent(c -> addForm(c, logins, localParts));
        }
        Map<String, Boolean> resolved = new HashMap<>();
        int dropped = 0;
        for (Map.Entry<Key, Entry> e : List.copyOf(entries.asMap().entrySet())) {
            Key k = e.getKey();
            String folded = k.login.toLowerCase(Locale.ROOT);
            boolean same = logins.contains(folded) || localParts.contains(localPart(folded));
            // only an ACCEPTED slot keeps a changed or disabled account working: only those are worth a search
            if (!same && directory.isPresent() && e.getValue().positive != null) {
                Optional<String> target = canonical;
                same = directoryDown || resolved.computeIfAbsent(folded, l -> sameUser(k.login, target));
            }
            if (same && entries.asMap().remove(k) != null) {
                dropped++;
            }
        }
        // what the backends remember about the user (the LDAP login-to-DN cache) goes with it, under every name
        delegate.forget(login);
        canonical.ifPresent(delegate::forget);
        LOG.info("auth cache: {} entries of the user of {} invalidated{}", dropped, LogSafe.of(login),
            canonical.map(c -> " (directory user " + LogSafe.of(c) + ")").orElse(""));
        return dropped;
    }

    /** Whether the directory resolves {@code cached} to {@code canonical}, or to nobody; a failure counts as the same (drop it). */
    private boolean sameUser(String cached, Optional<String> canonical) {
        try {
            Optional<String> user = directory.orElseThrow().lookup(cached);
            return user.isEmpty() || canonical.isPresent() && user.get().equalsIgnoreCase(canonical.get());
        } catch (BackendUnavailableException | RuntimeException e) {
            return true;
        }
    }

    private static void addForm(String login, Set<String> logins, Set<String> localParts) {
        String folded = login.toLowerCase(Locale.ROOT);
        logins.add(folded);
        localParts.add(localPart(folded));
    }

    private static String localPart(String login) {
        int at = login.lastIndexOf('@');
        return at < 0 ? login : login.substring(0, at);
    }

    /** Forgets every entry. */
    public void invalidateAll() {
        invalidations.incrementAndGet();
        entries.invalidateAll();
        delegate.forgetAll();
        LOG.info("auth cache: all entries invalidated");
    }

    /** The counters since this cache was built. */
    public CacheStats stats() {
        return new CacheStats(hits.sum(), misses.sum(), staleServed.sum(), entries.estimatedSize());
    }

    public CacheSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return "cache(" + delegate.name() + ")";
    }

    @Override
    public void close() {
        entries.invalidateAll();
        delegate.close();
    }

    /** Runs pending evictions now (tests: size bound is applied asynchronously otherwise). */
    void cleanUp() {
        entries.cleanUp();
    }

    /** The cache key: the login as the client typed it, and the protocol. */
    private record Key(String login, Protocol protocol) {
    }

    /** One key's slots; immutable, replaced as a whole under the map's per-key lock. */
    private static final class Entry {
        private static final Entry EMPTY = new Entry(null, 0, null, null, 0, null);

        private final byte @Nullable [] positiveHash;
        private final long positiveAt;
        private final @Nullable Verdict positive;
        private final byte @Nullable [] negativeHash;
        private final long negativeAt;
        private final @Nullable Verdict negative;

        private Entry(byte @Nullable [] positiveHash, long positiveAt, @Nullable Verdict positive,
                      byte @Nullable [] negativeHash, long negativeAt, @Nullable Verdict negative) {
            this.positiveHash = positiveHash;
            this.positiveAt = positiveAt;
            this.positive = positive;
            this.negativeHash = negativeHash;
            this.negativeAt = negativeAt;
            this.negative = negative;
        }

        static Entry orEmpty(@Nullable Entry e) {
            return e == null ? EMPTY : e;
        }

        boolean isEmpty() {
            return positive == null && negative == null;
        }

        boolean positiveMatches(byte[] hash) {
            return positive != null && MessageDigest.isEqual(positiveHash, hash);
        }

        boolean negativeMatches(byte[] hash) {
            return negative != null && MessageDigest.isEqual(negativeHash, hash);
        }

        Optional<Verdict> freshAnswer(byte[] hash, long now, CacheSettings s) {
            if (positiveMatches(hash) && now - positiveAt < s.positiveTtl().toNanos()) {
                return Optional.of(positive);
            }
            if (negativeMatches(hash) && now - negativeAt < s.negativeTtl().toNanos()) {
                return Optional.of(negative);
            }
            return Optional.empty();
        }

        Entry withPositive(byte[] hash, long at, Verdict verdict) {
            // the accepted password cannot also be a cached failure
            boolean dropNegative = negativeMatches(hash);
            return new Entry(hash, at, verdict, dropNegative ? null : negativeHash, negativeAt, dropNegative ? null : negative);
        }

        Entry withoutPositive(byte[] hash) {
            return positiveMatches(hash) ? new Entry(null, 0, null, negativeHash, negativeAt, negative) : this;
        }

        Entry withNegative(byte[] hash, long at, Verdict verdict) {
            return new Entry(positiveHash, positiveAt, positive, hash, at, verdict);
        }

        /** Nanoseconds from {@code now} until neither slot can be used, fresh or stale. */
        long remaining(long now, CacheSettings s) {
            long until = Long.MIN_VALUE;
            if (positive != null) {
                long keep = Math.max(s.positiveTtl().toNanos(), s.staleMaxAge().toNanos());
                until = Math.max(until, positiveAt + keep);
            }
            if (negative != null) {
                until = Math.max(until, negativeAt + s.negativeTtl().toNanos());
            }
            return Math.max(0, until - now);
        }
    }

    private final class EntryExpiry implements Expiry<Key, Entry> {
        @Override
        public long expireAfterCreate(Key key, Entry value, long currentTime) {
            return value.remaining(currentTime, settings);
        }

        @Override
        public long expireAfterUpdate(Key key, Entry value, long currentTime, long currentDuration) {
            return value.remaining(currentTime, settings);
        }

        @Override
        public long expireAfterRead(Key key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
