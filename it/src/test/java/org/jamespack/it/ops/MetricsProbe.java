package org.jamespack.it.ops;

import java.util.Map;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.james.utils.GuiceProbe;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/**
 * Reads James' Dropwizard metric registry: the memory server's {@code MetricFactory} makes each
 * {@code generate(name)} a Dropwizard {@link Meter} (a count with rates) and each {@code timer(name)}
 * a {@link Timer}.
 */
public final class MetricsProbe implements GuiceProbe {

    private final MetricRegistry registry;

    @Inject
    public MetricsProbe(MetricRegistry registry) {
        this.registry = registry;
    }

    /** A {@code MetricFactory} counter's value, 0 when it was never created. */
    public long counter(String name) {
        Meter m = registry.getMeters().get(name);
        return m == null ? 0 : m.getCount();
    }

    /** How many times a timer was stopped, 0 when it was never created. */
    public long timerCount(String name) {
        Timer t = registry.getTimers().get(name);
        return t == null ? 0 : t.getCount();
    }

    /** Every counter whose name starts with {@code prefix}, for failure messages. */
    public Map<String, Long> counters(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        registry.getMeters().forEach((name, c) -> {
            if (name.startsWith(prefix)) {
                out.put(name, c.getCount());
            }
        });
        return out;
    }
}
