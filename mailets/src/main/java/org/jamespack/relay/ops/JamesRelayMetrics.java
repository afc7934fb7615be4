package org.jamespack.relay.ops;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.james.metrics.api.MetricFactory;
import org.jamespack.relay.token.TokenStatus;

import net.jcip.annotations.ThreadSafe;

/**
 * {@link RelayMetrics} through James' {@link MetricFactory} (Dropwizard in the Guice servers, so the
 * counters show in James' metric registry, its JMX and its {@code /metrics} route). Thread-safe.
 *
 * <p>Token refreshes are counted from the token sources' own endpoint-call counters
 * ({@link TokenStatus#endpointCalls()}), sampled after each token request and by the relay's token
 * upkeep: the sources keep no listeners, and a sampled counter cannot count a call twice however
 * many threads shared it. A call is counted as a failure when the source's last call failed at
 * the time of the sample; when several calls happen between two samples (seconds apart at most)
 * they are all counted like the last one.
 */
@ThreadSafe
public final class JamesRelayMetrics implements RelayMetrics {

    /** Prefix of every relay metric. */
    public static final String PREFIX = "jamespack.relay.";
    public static final String SENT = PREFIX + "sent.";
    public static final String DEFERRED = PREFIX + "deferred.";
    public static final String BOUNCED = PREFIX + "bounced.";
    public static final String TOKEN_REFRESHES = "jamespack.token.refreshes.";
    public static final String TOKEN_FAILURES = "jamespack.token.failures.";

    private final MetricFactory factory;
    private final ConcurrentMap<String, AtomicLong> seenCalls = new ConcurrentHashMap<>();

    public JamesRelayMetrics(MetricFactory factory) {
        this.factory = factory;
    }

    @Override
    public void sent(String route) {
        factory.generate(SENT + part(route)).increment();
    }

    @Override
    public void deferred(String route) {
        factory.generate(DEFERRED + part(route)).increment();
    }

    @Override
    public void bounced(String route) {
        factory.generate(BOUNCED + part(route)).increment();
    }

    @Override
    public void tokenObserved(TokenStatus status) {
        String account = part(status.account());
        AtomicLong seen = seenCalls.computeIfAbsent(status.account() + "|" + status.source(), k -> new AtomicLong());
        long now = status.endpointCalls();
        long before = seen.getAndAccumulate(now, Math::max);
        if (now <= before) {
            return;
        }
        int delta = (int) Math.min(Integer.MAX_VALUE, now - before);
        factory.generate(TOKEN_REFRESHES + account).add(delta);
        if (status.lastFailureKind().isPresent()) {
            factory.generate(TOKEN_FAILURES + account).add(delta);
        }
    }

    /**
     * A route key or account as one metric name part: {@code *} is {@code default}, and anything but
     * letters, digits, {@code @ . _ -} becomes {@code _} (Prometheus turns the rest into {@code _} too).
     */
    public static String part(String key) {
        if (key.equals("*")) {
            return "default";
        }
        StringBuilder s = new StringBuilder(key.length());
        for (char c : key.toLowerCase(Locale.ROOT).toCharArray()) {
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '.' || c == '_' || c == '-';
            s.append(ok ? c : '_');
        }
        return s.length() == 0 ? "none" : s.toString();
    }
}
