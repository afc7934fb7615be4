package org.jamespack.relay.route;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * Routes from a Postfix relay set up for sasl-xoauth2: the {@code sender_dependent_relayhost_maps} file (where each
 * sender's mail goes), the {@code smtp_sasl_password_maps} file (which account logs in there, with the token file's
 * path as the password), and main.cf's {@code relayhost}. Immutable and thread-safe.
 *
 * <p>Postfix decides per message; the relay's route table is per sender key, so every key a lookup can stop at
 * (each key of the relayhost map, each sender key of the password map, and {@code *} for {@code relayhost}) becomes a
 * route, filled in with Postfix's lookups for that key:
 * <ul>
 * <li>smarthost: the relayhost map by the full address, then by {@code @domain}; no entry, or {@code DUNNO}: main.cf's
 *   {@code relayhost}; none of these: no route (Postfix would deliver to the MX; here the mail goes on to the next
 *   mailet);</li>
 * <li>account: with sender-dependent authentication, the password map by the full address, then by {@code @domain};
 *   then (always) by the smarthost's host name, then by the next hop as written in the relayhost map
 *   ({@code [smtp.example.com]:587}); no entry: no AUTH, as Postfix.</li>
 * </ul>
 * A next hop must be {@code [host]} or {@code [host]:port}: without brackets Postfix looks up MX records, which the
 * relay never does for a smarthost, so such a value is a problem of its line rather than a silent guess. {@code [host]}
 * alone is port 25, as in Postfix; the port may be a number or {@code smtp}, {@code submission}, {@code smtps},
 * {@code submissions}. TLS is always required, as with Postfix's {@code smtp_tls_security_level = encrypt}: STARTTLS,
 * implicit TLS on port 465 (Postfix's {@code smtp_tls_wrappermode}).
 */
@Immutable
public final class PostfixRoutes implements RouteFiles {

    public static final String RELAYHOST_MAPS_FILE = "postfixRelayhostMapsFile";
    public static final String SASL_PASSWORD_MAPS_FILE = "postfixSaslPasswordMapsFile";
    public static final String RELAYHOST = "postfixRelayhost";
    public static final String SENDER_DEPENDENT_AUTHENTICATION = "postfixSenderDependentAuthentication";
    public static final String SASL_MECHANISM = "postfixSaslMechanism";
    public static final String CHROOT = "postfixChroot";

    /** Every key with its default, for the documentation test. */
    public static final Map<String, String> DEFAULTS = Map.of(RELAYHOST_MAPS_FILE, "", SASL_PASSWORD_MAPS_FILE, "", RELAYHOST, "",
        SENDER_DEPENDENT_AUTHENTICATION, "false", SASL_MECHANISM, "xoauth2", CHROOT, "");

    private static final Pattern NEXTHOP = Pattern.compile("\\[([^\\[\\]]+)](?::([a-z0-9]+))?");
    private static final Map<String, Integer> SERVICES = Map.of("smtp", 25, "submission", 587, "smtps", 465, "submissions", 465);

    private final Optional<Path> relayhostMaps;
    private final Optional<Path> passwordMaps;
    private final Optional<String> relayhost;
    private final String relayhostOrigin;
    private final boolean senderDependent;
    private final Mechanism mechanism;
    private final Optional<Path> chroot;

    /**
     * @param relayhostMaps    {@code sender_dependent_relayhost_maps} source file
     * @param passwordMaps     {@code smtp_sasl_password_maps} source file
     * @param relayhost        main.cf's {@code relayhost} ({@code [host]:port}), the route of every other sender
     * @param relayhostOrigin  where {@code relayhost} was given, for messages
     * @param senderDependent  main.cf's {@code smtp_sender_dependent_authentication}
     * @param mechanism        the one SASL mechanism ({@code smtp_sasl_mechanism_filter})
     * @param chroot           Postfix's chroot directory, when its smtp(8) runs chrooted: token paths are below it
     */
    public PostfixRoutes(Optional<Path> relayhostMaps, Optional<Path> passwordMaps, Optional<String> relayhost, String relayhostOrigin,
                         boolean senderDependent, Mechanism mechanism, Optional<Path> chroot) {
        this.relayhostMaps = relayhostMaps;
        this.passwordMaps = passwordMaps;
        this.relayhost = relayhost;
        this.relayhostOrigin = relayhostOrigin;
        this.senderDependent = senderDependent;
        this.mechanism = mechanism;
        this.chroot = chroot;
    }

    /**
     * The Postfix settings of a mailet; empty when none is given. Problems (a file that cannot be read, a setting
     * without the files it qualifies) are recorded on {@code node}.
     */
    public static Optional<PostfixRoutes> fromConfig(ConfigNode node) {
        Optional<Path> relayMaps = readableFile(node, RELAYHOST_MAPS_FILE);
        Optional<Path> passwordMaps = readableFile(node, SASL_PASSWORD_MAPS_FILE);
        Optional<String> relayhost = node.string(RELAYHOST).map(String::strip);
        relayhost.flatMap(r -> nexthop(r).problem()).ifPresent(p -> node.problem(RELAYHOST, p));
        boolean senderDependent = node.bool(SENDER_DEPENDENT_AUTHENTICATION, false);
        Mechanism mechanism = node.choice(SASL_MECHANISM, Mechanism.XOAUTH2, Map.of("xoauth2", Mechanism.XOAUTH2,
            "oauthbearer", Mechanism.OAUTHBEARER, "plain", Mechanism.PLAIN, "login", Mechanism.LOGIN));
        Optional<Path> chroot = node.string(CHROOT).map(Path::of);
        chroot.filter(c -> !c.isAbsolute()).ifPresent(c -> node.problem(CHROOT, "'" + c + "' is not an absolute path"));
        boolean where = node.string(RELAYHOST_MAPS_FILE).isPresent() || relayhost.isPresent();
        if (!where) {
            for (String key : List.of(SASL_PASSWORD_MAPS_FILE, SENDER_DEPENDENT_AUTHENTICATION, SASL_MECHANISM, CHROOT)) {
                if (node.string(key).isPresent()) {
                    node.problem(key, "needs " + RELAYHOST_MAPS_FILE + " or " + RELAYHOST
                        + ": the password map says how to log in, the relayhost where");
                }
            }
            return Optional.empty();
        }
        return Optional.of(new PostfixRoutes(relayMaps, passwordMaps, relayhost, node.keyPath(RELAYHOST), senderDependent, mechanism,
            chroot));
    }

    /** The file of {@code key} when it is a readable source text file; else empty and a problem recorded. */
    private static Optional<Path> readableFile(ConfigNode node, String key) {
        Optional<Path> file = node.string(key).map(Path::of);
        if (file.isEmpty()) {
            return file;
        }
        if (file.get().getFileName().toString().matches(".*\\.(db|lmdb|cdb|dir|pag)")) {
            node.problem(key, "'" + file.get() + "' is a table postmap built; give its source text file (without the suffix)");
            return Optional.empty();
        }
        if (!java.nio.file.Files.isReadable(file.get())) {
            node.problem(key, "'" + file.get() + "' cannot be read");
            return Optional.empty();
        }
        return file;
    }

    @Override
    public List<Path> paths() {
        List<Path> out = new ArrayList<>();
        relayhostMaps.ifPresent(out::add);
        passwordMaps.ifPresent(out::add);
        return List.copyOf(out);
    }

    @Override
    public String describe() {
        return "Postfix maps " + paths();
    }

    @Override
    public SmartHostsParser.Result parse(List<String> texts) {
        int i = 0;
        Optional<PostfixMapFile> relay = relayhostMaps.isPresent()
            ? Optional.of(PostfixMapFile.parse(texts.get(i++), relayhostMaps.get().toString())) : Optional.empty();
        Optional<PostfixMapFile> passwords = passwordMaps.isPresent()
            ? Optional.of(PostfixMapFile.parse(texts.get(i), passwordMaps.get().toString())) : Optional.empty();
        return routes(relay, passwords);
    }

    /** The routes of the two maps (either may be absent) with this object's settings. */
    SmartHostsParser.Result routes(Optional<PostfixMapFile> relay, Optional<PostfixMapFile> passwords) {
        List<RouteProblem> problems = new ArrayList<>();
        relay.ifPresent(r -> problems.addAll(r.problems()));
        passwords.ifPresent(p -> problems.addAll(p.problems()));
        Set<String> badKeys = new LinkedHashSet<>();
        // every key a sender's lookup can stop at, in file order
        Set<String> senderKeys = new LinkedHashSet<>();
        for (PostfixMapFile.Entry e : relay.map(PostfixMapFile::entries).orElse(List.of())) {
            Optional<String> bad = senderKeyProblem(e.key());
            if (bad.isPresent()) {
                problems.add(new RouteProblem(relay.get().file(), e.line(), e.key(), bad.get()));
                badKeys.add(e.key());
            } else if (e.value().equalsIgnoreCase("DUNNO") && relayhost.isEmpty()) {
                problems.add(new RouteProblem(relay.get().file(), e.line(), e.key(), "DUNNO sends this sender's mail without a "
                    + "relayhost, which needs " + RELAYHOST + "; without it the line is skipped and the sender takes its @domain route"));
                badKeys.add(e.key());
            } else {
                senderKeys.add(e.key());
            }
        }
        for (PostfixMapFile.Entry e : passwords.map(PostfixMapFile::entries).orElse(List.of())) {
            if (e.key().contains("@")) {
                if (!senderDependent) {
                    problems.add(new RouteProblem(passwords.get().file(), e.line(), e.key(), "a sender key is looked up only with "
                        + SENDER_DEPENDENT_AUTHENTICATION + "=true (Postfix: smtp_sender_dependent_authentication = yes); ignored"));
                } else if (senderKeyProblem(e.key()).isPresent()) {
                    problems.add(new RouteProblem(passwords.get().file(), e.line(), e.key(), senderKeyProblem(e.key()).get()));
                } else {
                    senderKeys.add(e.key());
                }
            }
        }
        if (relayhost.isPresent()) {
            senderKeys.add("*");
        }
        List<Route> routes = new ArrayList<>();
        for (String key : senderKeys) {
            Optional<Hop> hop = hopFor(key, relay, badKeys);
            if (hop.isEmpty()) {
                continue;
            }
            Optional<String> trouble = hop.get().problem();
            if (trouble.isPresent()) {
                // reported once, at the line (or setting) that names the bad next hop
                if (hop.get().key().equals(key)) {
                    problems.add(new RouteProblem(hop.get().file(), hop.get().line(), key, trouble.get()));
                }
                continue;
            }
            try {
                routes.add(route(key, hop.get(), passwords));
            } catch (IllegalArgumentException ex) {
                RouteProblem where = credentialEntry(key, hop.get(), passwords)
                    .map(e -> new RouteProblem(passwords.get().file(), e.line(), e.key(), ex.getMessage()))
                    .orElse(new RouteProblem(hop.get().file(), hop.get().line(), key, ex.getMessage()));
                if (!problems.contains(where)) {
                    problems.add(where);
                }
            }
        }
        return new SmartHostsParser.Result(routes, problems);
    }

    /** Why {@code key} is no key of a sender lookup ({@code user@domain} or {@code @domain}), if it is not one. */
    private static Optional<String> senderKeyProblem(String key) {
        if (key.startsWith("@")) {
            return SmartHostsParser.validateKey(key.substring(1)).map(p -> "'" + key + "' is not @domain");
        }
        if (key.indexOf('@') > 0) {
            return SmartHostsParser.validateKey(key);
        }
        return Optional.of("'" + key + "' is not a sender address or @domain (Postfix looks senders up by user@domain, then "
            + "@domain; write @" + key + " for a whole domain)");
    }

    /** A next hop and where it was written; {@code key} is the entry (or {@code *}) that gave it. */
    private record Hop(String written, String host, int port, String file, int line, String key, Optional<String> problem) {
    }

    private Optional<Hop> hopFor(String key, Optional<PostfixMapFile> relay, Set<String> badKeys) {
        List<String> lookups = new ArrayList<>();
        if (!key.equals("*")) {
            lookups.add(key);
            if (!key.startsWith("@")) {
                lookups.add(key.substring(key.indexOf('@')));
            }
        }
        for (String k : lookups) {
            Optional<PostfixMapFile.Entry> e = relay.flatMap(r -> r.get(k)).filter(x -> !badKeys.contains(x.key()));
            if (e.isPresent()) {
                if (e.get().value().equalsIgnoreCase("DUNNO")) {
                    break;
                }
                return Optional.of(hop(e.get().value(), relay.get().file(), e.get().line(), e.get().key()));
            }
        }
        return relayhost.map(r -> hop(r, relayhostOrigin, 0, "*"));
    }

    private static Hop hop(String written, String file, int line, String key) {
        Parsed p = nexthop(written);
        return new Hop(written.toLowerCase(Locale.ROOT), p.host(), p.port(), file, line, key, p.problem());
    }

    private record Parsed(String host, int port, Optional<String> problem) {
    }

    /** Reads {@code [host]} or {@code [host]:port}. */
    static Parsed nexthop(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        Matcher m = NEXTHOP.matcher(v);
        if (!m.matches()) {
            String hint = v.contains("[") ? "" : ": without [ ] Postfix looks up the MX records of the name, which the relay does not do for "
                + "a smarthost; write [" + (v.contains(":") ? v.substring(0, v.indexOf(':')) + "]" + v.substring(v.indexOf(':')) : v + "]");
            return new Parsed("", 25, Optional.of("'" + value.strip() + "' is not a next hop [host] or [host]:port" + hint));
        }
        String host = m.group(1);
        if (SmartHostsParser.validateKey(host).isPresent() || host.startsWith("*") || host.contains("@")) {
            return new Parsed("", 25, Optional.of("'" + value.strip() + "': '" + host + "' is not a host name or IPv4 address"));
        }
        if (m.group(2) == null) {
            return new Parsed(host, 25, Optional.empty());
        }
        Integer port = SERVICES.get(m.group(2));
        if (port == null) {
            try {
                port = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65535) {
            return new Parsed("", 25, Optional.of("'" + value.strip() + "': '" + m.group(2)
                + "' is not a port (a number, smtp, submission, smtps or submissions)"));
        }
        return new Parsed(host, port, Optional.empty());
    }

    /** The password-map entry Postfix would use for mail of {@code key} going to {@code hop}. */
    private Optional<PostfixMapFile.Entry> credentialEntry(String key, Hop hop, Optional<PostfixMapFile> passwords) {
        if (passwords.isEmpty()) {
            return Optional.empty();
        }
        List<String> lookups = new ArrayList<>();
        if (senderDependent && !key.equals("*")) {
            lookups.add(key);
            if (!key.startsWith("@")) {
                lookups.add(key.substring(key.indexOf('@')));
            }
        }
        // smtp_sasl_password_maps: the server's host name, then the next hop as written
        lookups.add(hop.host());
        lookups.add(hop.written());
        for (String k : lookups) {
            Optional<PostfixMapFile.Entry> e = passwords.get().get(k);
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }

    private Route route(String key, Hop hop, Optional<PostfixMapFile> passwords) {
        Optional<PostfixMapFile.Entry> credential = credentialEntry(key, hop, passwords);
        String routeKey = key.startsWith("@") ? key.substring(1) : key;
        TlsMode tls = hop.port() == 465 ? TlsMode.IMPLICIT : TlsMode.STARTTLS;
        SendingLimits limits = hop.host().equals(SmartHostsParser.M365_HOST) ? SendingLimits.M365 : SendingLimits.UNLIMITED;
        String origin = hop.line() > 0 ? hop.file() + ":" + hop.line() : hop.file();
        if (credential.isEmpty()) {
            return new Route(routeKey, hop.host(), hop.port(), tls, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), limits, origin);
        }
        PostfixMapFile.Entry c = credential.get();
        origin = origin + " (account: " + passwords.get().file() + ":" + c.line() + ")";
        int colon = c.value().indexOf(':');
        // Postfix splits username:password at the first colon; the password is never part of a message
        if (colon <= 0 || colon == c.value().length() - 1) {
            throw new IllegalArgumentException("the value is not username:password (for sasl-xoauth2 username:/path/to/token-file)");
        }
        String user = c.value().substring(0, colon);
        String password = c.value().substring(colon + 1);
        if (mechanism.usesToken()) {
            Path token = Path.of(password);
            if (!token.isAbsolute()) {
                throw new IllegalArgumentException("the password of " + user + " is not an absolute token file path (sasl-xoauth2 reads "
                    + "the token from that file; value not shown)");
            }
            if (chroot.isPresent()) {
                token = chroot.get().resolve(token.toString().substring(1));
            }
            return new Route(routeKey, hop.host(), hop.port(), tls, Optional.empty(), Optional.of(user), Optional.of(token.toString()),
                Optional.empty(), Optional.of(mechanism), limits, origin);
        }
        return new Route(routeKey, hop.host(), hop.port(), tls, Optional.empty(), Optional.of(user), Optional.empty(),
            Optional.of(Secret.of(password)), Optional.of(mechanism), limits, origin);
    }
}
