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
        for (String key : candidateKeys(sender)) {
            Route r = byKey.get(key);
            if (r != null) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The keys that may match {@code sender}, best first: the address, its domain, the
     * {@code *.parent} wildcards from the closest parent up, and {@code *}; all lower-case.
     */
    public static List<String> candidateKeys(String sender) {
        String s = sender.toLowerCase(Locale.ROOT);
        List<String> keys = new java.util.ArrayList<>();
        int at = s.lastIndexOf('@');
        String domain = at >= 0 ? s.substring(at + 1) : s;
        if (at >= 0) {
            keys.add(s);
        }
        keys.add(domain);
        String rest = domain;
        int dot;
        while ((dot = rest.indexOf('.')) >= 0) {
            rest = rest.substring(dot + 1);
            keys.add("*." + rest);
        }
        keys.add("*");
        return keys;
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
