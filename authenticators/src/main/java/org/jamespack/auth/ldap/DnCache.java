package org.jamespack.auth.ldap;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.unboundid.ldap.sdk.SearchResultEntry;

import net.jcip.annotations.ThreadSafe;

/**
 * The login-to-DN cache: the entry a search found for a login (its DN and the attributes the search read: the
 * username, {@code accountStatus}, {@code nsAccountLock}; never a stored hash), so that the next login of the same
 * name binds that DN at once (rebind mode) or reads the entry afresh there (compare mode) instead of searching.
 *
 * <p>Thread-safe (Caffeine). Bounded by {@code dnCacheSize} (W-TinyLFU eviction), entries expire
 * {@code dnCacheTtl} after the search that found them. It holds no password and no verdict: every
 * login still binds, so the directory still decides every password. {@link #forget(String)} and
 * {@link #forgetAll()} are driven by the verdict cache's invalidation. An entry found by a search
 * that was in flight when an invalidation happened is not stored: it may predate the change the
 * operator invalidated for (the verdict cache's own rule).
 */
@ThreadSafe
final class DnCache {

    private final Cache<String, SearchResultEntry> entries;
    private final String usernameAttribute;
    private final AtomicLong invalidations = new AtomicLong();

    DnCache(Duration ttl, int maxEntries, String usernameAttribute, Ticker ticker) {
        this.usernameAttribute = Objects.requireNonNull(usernameAttribute, "usernameAttribute");
        this.entries = Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .expireAfterWrite(ttl)
            .ticker(ticker)
            // evictions on the calling thread: no ForkJoinPool task per write, and tests are deterministic
            .executor(Runnable::run)
            .build();
    }

    /** The entry cached for {@code login}, exactly as typed; null when none is fresh. */
    @Nullable SearchResultEntry get(String login) {
        return entries.getIfPresent(login);
    }

    /** The invalidation count, read before a search whose result may be {@link #put}. */
    long epoch() {
        return invalidations.get();
    }

    /** Caches {@code entry} for {@code login} unless an invalidation happened since {@code epoch}. */
    void put(String login, SearchResultEntry entry, long epoch) {
        entries.asMap().compute(login, (k, old) -> invalidations.get() == epoch ? entry : old);
    }

    /** Drops {@code login}'s entry when its bind no longer answers for it. */
    void drop(String login) {
        entries.invalidate(login);
    }

    /**
     * Drops every entry whose login or canonical username ({@code usernameAttribute}) equals
     * {@code user} ignoring case: an operator may name the user either way.
     */
    void forget(String user) {
        invalidations.incrementAndGet();
        String wanted = user.toLowerCase(Locale.ROOT);
        entries.asMap().entrySet().removeIf(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted)
            || wanted.equalsIgnoreCase(e.getValue().getAttributeValue(usernameAttribute)));
    }

    void forgetAll() {
        invalidations.incrementAndGet();
        entries.invalidateAll();
    }

    /** Entries held now, after pending evictions ran. */
    long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }
}
