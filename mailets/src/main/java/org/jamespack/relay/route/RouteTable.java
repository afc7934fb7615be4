package org.jamespack.relay.route;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * Routes by envelope sender. Immutable and thread-safe.
 *
 * <p>Lookup order, case-insensitive: the full sender address, then its domain (exactly: a
 * subdomain does not match), then the closest {@code *.domain} wildcard ({@code *.example.org}
 * matches {@code a.example.org} and {@code b.a.example.org}, not {@code example.org} itself —
 * unlike exim's {@code partial-} lookups; write both lines), then the default {@code *}.
 */
@Immutable
public final class RouteTable {

    private static final RouteTable EMPTY = new RouteTable(Map.of());

    private final Map<String, Route> byKey;

    private RouteTable(Map<String, Route> byKey) {
        this.byKey = byKey;
    }

    public static RouteTable empty() {
        return EMPTY;
    }

    /** A table of {@code routes}; for a key given twice the first route wins. */
    public static RouteTable of(Collection<Route> routes) {
        Map<String, Route> map = new LinkedHashMap<>();
        for (Route r : routes) {
            map.putIfAbsent(r.key(), r);
        }
        return new RouteTable(Map.copyOf(map));
    }

    /** The route for {@code sender} ({@code local@domain}); empty when none applies. */
    public Optional<Route> lookup(String sender) {
        String s = sender.toLowerCase(Locale.ROOT);
        Route r = byKey.get(s);
        if (r != null) {
            return Optional.of(r);
        }
        int at = s.lastIndexOf('@');
        String domain = at >= 0 ? s.substring(at + 1) : s;
        r = byKey.get(domain);
        if (r != null) {
            return Optional.of(r);
        }
        String rest = domain;
        int dot;
        while ((dot = rest.indexOf('.')) >= 0) {
            rest = rest.substring(dot + 1);
            r = byKey.get("*." + rest);
            if (r != null) {
                return Optional.of(r);
            }
        }
        return Optional.ofNullable(byKey.get("*"));
    }

    /** The default route {@code *}, if there is one. */
    public Optional<Route> defaultRoute() {
        return Optional.ofNullable(byKey.get("*"));
    }

    /** Every route, in the order given. */
    public List<Route> routes() {
        return List.copyOf(byKey.values());
    }

    public int size() {
        return byKey.size();
    }
}
