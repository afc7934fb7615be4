package org.jamespack.relay.route;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.graph.GraphEndpoint;

import net.jcip.annotations.Immutable;

/**
 * Reads routes written in the exim smart-hosts format of cloud_mdir_sync
 * ({@code domain.com: host=smtp.office365.com::587 helo=cms user=user@domain.com oauth=/path}).
 * Stateless and thread-safe.
 *
 * <p>Written by hand because no Java library reads exim's {@code lsearch} files. The semantics
 * follow exim's: one entry per line, key then optional colon then the data; a key may be quoted
 * ({@code "…"} with backslash escapes); lines starting with {@code #} are comments, blank lines
 * are skipped, a line starting with white space continues the previous entry; the first entry of
 * a key wins (a later duplicate is reported). The data is read like exim's
 * {@code ${extract{name}{…}}}: {@code name=value} pairs separated by white space, a value may be
 * quoted. A bad line is reported with file, line and key and skipped; the good lines load.
 */
@Immutable
public final class SmartHostsParser {

    /** Host name of Microsoft 365's SMTP client submission: gets the {@code m365} preset by default. */
    public static final String M365_HOST = "smtp.office365.com";

    static final Set<String> SETTINGS = Set.of("host", "port", "tls", "helo", "user", "oauth", "password", "mechanism",
        "preset", "messages-per-minute", "recipients-per-day", "connections", "submitters", "unauthenticated", "transport",
        "graph-url");

    /** Settings a Graph route does not take: they describe an SMTP session. */
    private static final List<String> SMTP_ONLY = List.of("host", "port", "tls", "helo", "mechanism", "password");

    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");
    private static final Pattern LOCAL_PART = Pattern.compile("[^\\s@\"]+");

    /** Routes that loaded and the lines that did not. */
    public record Result(List<Route> routes, List<RouteProblem> problems) {
        public Result {
            routes = List.copyOf(routes);
            problems = List.copyOf(problems);
        }
    }

    private SmartHostsParser() {
    }

    /** Parses {@code text}; {@code file} names it in problems. */
    public static Result parse(String text, String file) {
        List<Route> routes = new ArrayList<>();
        List<RouteProblem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (LogicalLines.Line entry : LogicalLines.of(text, file, problems)) {
            parseEntry(entry.text(), file, entry.number(), seen, routes, problems);
        }
        return new Result(routes, problems);
    }

    private static void parseEntry(String entry, String file, int lineNo, Map<String, Integer> seen, List<Route> routes,
                                   List<RouteProblem> problems) {
        int[] pos = {0};
        String key;
        try {
            key = readKey(entry, pos);
        } catch (IllegalArgumentException ex) {
            problems.add(new RouteProblem(file, lineNo, "?", ex.getMessage()));
            return;
        }
        int p = pos[0];
        while (p < entry.length() && Character.isWhitespace(entry.charAt(p))) {
            p++;
        }
        if (p < entry.length() && entry.charAt(p) == ':') {
            p++;
        }
        String data = entry.substring(p);
        String lowerKey = key.toLowerCase(Locale.ROOT);
        List<String> errors = new ArrayList<>();
        validateKey(lowerKey).ifPresent(errors::add);
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            settings.putAll(readSettings(data));
        } catch (IllegalArgumentException ex) {
            errors.add(ex.getMessage());
        }
        if (!errors.isEmpty()) {
            problems.add(new RouteProblem(file, lineNo, lowerKey, String.join("; ", errors)));
            return;
        }
        Integer first = seen.get(lowerKey);
        if (first != null) {
            problems.add(new RouteProblem(file, lineNo, lowerKey,
                "duplicate key, the entry of line " + first + " is used (first match wins, as in exim's lsearch)"));
            return;
        }
        try {
            routes.add(route(lowerKey, settings, file + ":" + lineNo));
            seen.put(lowerKey, lineNo);
        } catch (IllegalArgumentException ex) {
            problems.add(new RouteProblem(file, lineNo, lowerKey, ex.getMessage()));
        }
    }

    /** Builds a route from its settings; every problem found is in the exception's message. */
    static Route route(String key, Map<String, String> settings, String origin) {
        List<String> errors = new ArrayList<>();
        for (String name : settings.keySet()) {
            if (!SETTINGS.contains(name)) {
                errors.add(name + ": unknown setting (one of " + new java.util.TreeSet<>(SETTINGS) + ")");
            }
        }
        Optional<GraphEndpoint> graph = Optional.empty();
        String transport = settings.getOrDefault("transport", "smtp").toLowerCase(Locale.ROOT);
        if (transport.equals("graph")) {
            for (String name : SMTP_ONLY) {
                if (settings.containsKey(name)) {
                    errors.add(name + ": not taken by transport=graph (Graph is reached at graph-url)");
                }
            }
            try {
                graph = Optional.of(settings.containsKey("graph-url") ? GraphEndpoint.parse(settings.get("graph-url"))
                    : GraphEndpoint.GLOBAL);
            } catch (IllegalArgumentException e) {
                errors.add("graph-url: " + e.getMessage());
                graph = Optional.of(GraphEndpoint.GLOBAL);
            }
            if (settings.get("user") == null || settings.get("user").isEmpty()) {
                errors.add("user: is required with transport=graph (the mailbox that sends)");
            }
            if (settings.get("oauth") == null || settings.get("oauth").isEmpty()) {
                errors.add("oauth: is required with transport=graph (a token source issuing Graph tokens)");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", errors));
            }
        } else if (!transport.equals("smtp")) {
            errors.add("transport: '" + settings.get("transport") + "' is not smtp or graph");
        } else if (settings.containsKey("graph-url")) {
            errors.add("graph-url: needs transport=graph");
        }
        String host = graph.map(g -> g.base().getHost()).orElse(settings.get("host"));
        Integer port = graph.map(GraphEndpoint::port).orElse(null);
        if (graph.isPresent()) {
            // filled from the Graph URL: logs, limits and reports name the route by its host
        } else if (host == null || host.isEmpty()) {
            errors.add("host: is required");
            host = "";
        } else {
            int dc = host.indexOf("::");
            if (dc >= 0) {
                port = parsePort("host", host.substring(dc + 2), errors);
                host = host.substring(0, dc);
            }
            if (host.indexOf(':') >= 0) {
                errors.add("host: '" + settings.get("host") + "': host lists are not supported, give one host (port as host::port)");
            }
        }
        if (settings.containsKey("port") && graph.isEmpty()) {
            Integer explicit = parsePort("port", settings.get("port"), errors);
            if (port != null && explicit != null && !port.equals(explicit)) {
                errors.add("port: " + explicit + " contradicts host=…::" + port);
            }
            port = explicit;
        }
        TlsMode tls;
        String tlsValue = settings.get("tls");
        if (graph.isPresent()) {
            tls = TlsMode.IMPLICIT;
        } else if (tlsValue == null) {
            tls = port != null && port == 465 ? TlsMode.IMPLICIT : TlsMode.STARTTLS;
        } else {
            switch (tlsValue.toLowerCase(Locale.ROOT)) {
                case "starttls": tls = TlsMode.STARTTLS; break;
                case "implicit": case "smtps": tls = TlsMode.IMPLICIT; break;
                default:
                    errors.add("tls: '" + tlsValue + "' is not starttls or implicit (plain text is never used)");
                    tls = TlsMode.STARTTLS;
            }
        }
        Optional<String> user = optional(settings.get("user"));
        Optional<String> oauth = optional(settings.get("oauth"));
        Optional<String> password = optional(settings.get("password"));
        if (oauth.isPresent() && password.isPresent()) {
            errors.add("oauth and password: give one of them");
        }
        if (user.isEmpty() && (oauth.isPresent() || password.isPresent())) {
            errors.add("user: is required with " + (oauth.isPresent() ? "oauth" : "password"));
        }
        if (user.isPresent() && oauth.isEmpty() && password.isEmpty()) {
            errors.add("oauth or password: required with user");
        }
        Optional<Mechanism> mechanism = Optional.empty();
        if (user.isPresent() && graph.isEmpty()) {
            String m = settings.get("mechanism");
            if (m == null) {
                mechanism = Optional.of(oauth.isPresent() ? Mechanism.XOAUTH2 : Mechanism.PLAIN);
            } else {
                try {
                    Mechanism parsed = Mechanism.valueOf(m.toUpperCase(Locale.ROOT));
                    if (parsed.usesToken() != oauth.isPresent()) {
                        errors.add("mechanism: '" + m + "' does not fit " + (oauth.isPresent() ? "oauth= (use xoauth2 or oauthbearer)"
                            : "password= (use plain or login)"));
                    }
                    mechanism = Optional.of(parsed);
                } catch (IllegalArgumentException ex) {
                    errors.add("mechanism: '" + m + "' is not one of xoauth2, oauthbearer, plain, login");
                }
            }
        } else if (settings.containsKey("mechanism")) {
            errors.add("mechanism: needs user");
        }
        SendingLimits base = SendingLimits.UNLIMITED;
        String preset = settings.get("preset");
        if (preset == null) {
            // Exchange Online's mailbox limits hold whichever way the message is submitted
            if (host.equalsIgnoreCase(M365_HOST) || graph.isPresent()) {
                base = SendingLimits.M365;
            }
        } else if (preset.equalsIgnoreCase("m365")) {
            base = SendingLimits.M365;
        } else if (!preset.equalsIgnoreCase("none")) {
            errors.add("preset: '" + preset + "' is not m365 or none");
        }
        int perMinute = parseCount("messages-per-minute", settings, base.messagesPerMinute(), 0, errors);
        int perDay = parseCount("recipients-per-day", settings, base.recipientsPerDay(), 0, errors);
        int connections = parseCount("connections", settings, base.maxConnections(), 1, errors);
        Set<String> submitters = new java.util.LinkedHashSet<>();
        String submittersValue = settings.get("submitters");
        if (submittersValue != null) {
            for (String u : submittersValue.split(",")) {
                String name = u.strip();
                if (name.isEmpty() || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                    errors.add("submitters: '" + submittersValue + "' is not a comma-separated list of James user names");
                    break;
                }
                submitters.add(name);
            }
            if (user.isEmpty()) {
                errors.add("submitters: needs user (a route without an account needs no submitter list)");
            }
        }
        Optional<Boolean> unauthenticated = Optional.empty();
        String unauthValue = settings.get("unauthenticated");
        if (unauthValue != null) {
            switch (unauthValue.toLowerCase(Locale.ROOT)) {
                case "allow": unauthenticated = Optional.of(true); break;
                case "refuse": unauthenticated = Optional.of(false); break;
                default: errors.add("unauthenticated: '" + unauthValue + "' is not allow or refuse");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new Route(key, host, port == null ? tls.defaultPort() : port, tls, optional(settings.get("helo")), user, oauth,
            password.map(Secret::of), mechanism, new SendingLimits(perMinute, perDay, connections), origin, submitters,
            unauthenticated, graph);
    }

    private static Optional<String> optional(String v) {
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static Integer parsePort(String name, String value, List<String> errors) {
        try {
            int p = Integer.parseInt(value.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ex) {
            // reported below
        }
        errors.add(name + ": '" + value + "' is not a port number");
        return null;
    }

    private static int parseCount(String name, Map<String, String> settings, int defaultValue, int min, List<String> errors) {
        String v = settings.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ex) {
            // reported below
        }
        errors.add(name + ": '" + v + "' is not a whole number >= " + min);
        return defaultValue;
    }

    /** Why {@code key} is not a route key, if it is not one. */
    static Optional<String> validateKey(String key) {
        if (key.equals("*")) {
            return Optional.empty();
        }
        String domain = key;
        if (key.startsWith("*.")) {
            domain = key.substring(2);
        } else {
            int at = key.lastIndexOf('@');
            if (at >= 0) {
                if (!LOCAL_PART.matcher(key.substring(0, at)).matches()) {
                    return Optional.of("'" + key + "' is not a sender address, domain, *.domain or *");
                }
                domain = key.substring(at + 1);
            }
        }
        if (!DOMAIN.matcher(domain).matches()) {
            return Optional.of("'" + key + "' is not a sender address, domain, *.domain or *");
        }
        return Optional.empty();
    }

    private static String readKey(String entry, int[] pos) {
        StringBuilder key = new StringBuilder();
        int p = 0;
        if (entry.charAt(0) == '"') {
            p = 1;
            while (true) {
                if (p >= entry.length()) {
                    throw new IllegalArgumentException("unterminated quoted key");
                }
                char c = entry.charAt(p++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && p < entry.length()) {
                    c = entry.charAt(p++);
                }
                key.append(c);
            }
        } else {
            while (p < entry.length() && entry.charAt(p) != ':' && !Character.isWhitespace(entry.charAt(p))) {
                key.append(entry.charAt(p++));
            }
        }
        pos[0] = p;
        if (key.length() == 0) {
            throw new IllegalArgumentException("empty key");
        }
        return key.toString();
    }

    /** {@code name=value} pairs as exim's {@code extract} reads them; values may be quoted. */
    static Map<String, String> readSettings(String data) {
        Map<String, String> out = new LinkedHashMap<>();
        int p = 0;
        int n = data.length();
        while (true) {
            while (p < n && Character.isWhitespace(data.charAt(p))) {
                p++;
            }
            if (p >= n) {
                return out;
            }
            int nameStart = p;
            while (p < n && data.charAt(p) != '=' && !Character.isWhitespace(data.charAt(p))) {
                p++;
            }
            String name = data.substring(nameStart, p).toLowerCase(Locale.ROOT);
            while (p < n && Character.isWhitespace(data.charAt(p))) {
                p++;
            }
            if (p >= n || data.charAt(p) != '=') {
                // a stray word may be the tail of an unquoted password with a space in it: only known names are echoed
                throw new IllegalArgumentException(SETTINGS.contains(name) ? "'" + name + "' is not name=value"
                    : "a word that is not name=value" + (out.isEmpty() ? "" : " after the setting '"
                        + out.keySet().stream().reduce((a, b) -> b).orElseThrow() + "' (quote values with spaces)"));
            }
            p++;
            while (p < n && Character.isWhitespace(data.charAt(p))) {
                p++;
            }
            StringBuilder value = new StringBuilder();
            if (p < n && data.charAt(p) == '"') {
                p++;
                while (true) {
                    if (p >= n) {
                        throw new IllegalArgumentException(name + ": unterminated quoted value");
                    }
                    char c = data.charAt(p++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\' && p < n) {
                        c = data.charAt(p++);
                    }
                    value.append(c);
                }
            } else {
                while (p < n && !Character.isWhitespace(data.charAt(p))) {
                    value.append(data.charAt(p++));
                }
            }
            if (out.containsKey(name)) {
                throw new IllegalArgumentException(name + ": given twice");
            }
            out.put(name, value.toString());
        }
    }
}
