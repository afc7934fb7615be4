package org.jamespack.it.ops;

import java.util.Map;
import java.util.TreeMap;

import javax.inject.Inject;

import org.apache.james.utils.GuiceProbe;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/** Reads James' Dropwizard metric registry (the memory server's {@code MetricFactory} writes there). */
public final class MetricsProbe implements GuiceProbe {

    private final MetricRegistry registry;

    @Inject
    public MetricsProbe(MetricRegistry registry) {
        this.registry = registry;
    }

    /** A counter's value, 0 when it was never created. */
    public long counter(String name) {
        Counter c = registry.getCounters().get(name);
        return c == null ? 0 : c.getCount();
    }

    /** How many times a timer was stopped, 0 when it was never created. */
    public long timerCount(String name) {
        Timer t = registry.getTimers().get(name);
        return t == null ? 0 : t.getCount();
    }

    /** Every counter whose name starts with {@code prefix}, for failure messages. */
    public Map<String, Long> counters(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        registry.getCounters().forEach((name, c) -> {
            if (name.startsWith(prefix)) {
                out.put(name, c.getCount());
            }
        });
        return out;
    }
}
