package org.jamespack.auth.james;

import java.util.Locale;

import javax.inject.Inject;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.VerdictMeter;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;

/**
 * The pack's verdict counts and backend latencies in James' metrics ({@link MetricFactory}:
 * Dropwizard in the Guice servers). Bound as an eager singleton by {@link AuthPackModule}: when
 * Guice builds it, it plugs itself into the {@link AuthPack}, which exists before the injector
 * (its mode decides the bindings). Thread-safe.
 *
 * <table>
 * <caption>Metric names ({@code BACKEND}: the backend's {@code name}; {@code STATE}: accepted,
 * rejected, disabled, unavailable)</caption>
 * <tr><th>name</th><th>type</th><th>counts</th></tr>
 * <tr><td>{@code jamespack.auth.backend.BACKEND.STATE}</td><td>counter</td><td>the backend's verdicts (cache hits are not
 *   questions to the backend and are not counted here)</td></tr>
 * <tr><td>{@code jamespack.auth.backend.BACKEND.latency}</td><td>timer</td><td>time the backend took to answer</td></tr>
 * <tr><td>{@code jamespack.auth.decision.STATE}</td><td>counter</td><td>what clients were answered, after chain, cache and
 *   throttle (one per audit line)</td></tr>
 * <tr><td>{@code jamespack.auth.mailhost.HOST}</td><td>counter</td><td>right logins whose mailbox is on the other host
 *   {@code HOST} (qmail-ldap {@code mailHost}): IMAP referred them, POP3 refused them, SMTP let them submit; one per
 *   audit line with {@code mailhost=HOST}</td></tr>
 * </table>
 */
@ThreadSafe
public final class AuthPackMetrics implements VerdictMeter {

    public static final String BACKEND = "jamespack.auth.backend.";
    public static final String DECISION = "jamespack.auth.decision.";
    public static final String LATENCY = ".latency";
    public static final String MAIL_HOST = "jamespack.auth.mailhost.";

    private final MetricFactory factory;

    @Inject
    public AuthPackMetrics(AuthPack pack, MetricFactory factory) {
        this.factory = factory;
        pack.meterWith(this);
    }

    @Override
    public Stopwatch start(String backend) {
        String base = BACKEND + part(backend);
        TimeMetric timer = factory.timer(base + LATENCY);
        return verdict -> {
            timer.stopAndPublish();
            factory.generate(base + "." + state(verdict)).increment();
        };
    }

    @Override
    public void decision(Verdict verdict) {
        factory.generate(DECISION + state(verdict)).increment();
        // one counter per cluster member: a host name (Verdict checks it) is a metric name part as it is
        verdict.mailHost().ifPresent(host -> factory.generate(MAIL_HOST + host).increment());
    }

    private static String state(Verdict verdict) {
        return verdict.state().name().toLowerCase(Locale.ROOT);
    }

    /** A backend name as one metric name part: anything but letters, digits, {@code . _ -} becomes {@code _}. */
    static String part(String name) {
        StringBuilder s = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            boolean ok = Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-';
            s.append(ok ? c : '_');
        }
        return s.toString();
    }
}
