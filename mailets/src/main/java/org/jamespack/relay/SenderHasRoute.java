package org.jamespack.relay;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jamespack.relay.route.Mechanism;
import org.jamespack.relay.route.PostfixRoutes;
import org.jamespack.relay.ops.RelayRegistry;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.RouteTable;
import org.jamespack.relay.route.SmartHostsParser;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.ThreadSafe;

/**
 * Matches every recipient of mail whose envelope sender has a relay route, so that
 * {@link XOAuth2Relay} can sit in the {@code transport} processor before RemoteDelivery.
 * Thread-safe. Mail with the null sender never matches.
 *
 * <p>Condition: a comma-separated list of absolute paths of smart-hosts files (re-read when they
 * change, every 10 s at most) and route keys ({@code user@domain}, {@code domain},
 * {@code *.domain}, {@code *}), e.g. {@code SenderHasRoute=/etc/james/smart-hosts} or
 * {@code SenderHasRoute=example.org, *.example.net}. Postfix's {@code sender_dependent_relayhost_maps} file is given
 * as {@code postfix:/etc/postfix/sender_relay}; with the mailet's {@code postfixRelayhost} every sender has a route,
 * so the matcher is {@code All}. Give it the same files and keys as the mailet.
 *
 * <p>A smart-hosts file is not parsed a second time: the relay mailet that reads it publishes its route source in
 * the {@link RelayRegistry} (the Guice singleton both are injected with), and the matcher looks the sender up in
 * that file's routes there. Only while no running relay reads the file (a matcher asked before its mailet started,
 * or a file no mailet names) does the matcher load the file itself, once, and poll it as the mailet would. A Postfix
 * map is always loaded by the matcher: here the relayhost map alone decides, while the mailet's routes also come
 * from the password map and main.cf's relayhost.
 *
 * <p>It matches on the route alone, not on who submitted the mail: the mailet itself refuses mail whose submitter
 * does not own the sender (to its {@code refusedProcessor}), so that such mail never falls through to the next
 * mailet (RemoteDelivery) either.
 */
@ThreadSafe
public final class SenderHasRoute extends GenericMatcher {

    private static final String POSTFIX = "postfix:";

    private final RelayRegistry registry;
    private volatile List<FileRoutes> files = List.of();
    private volatile Set<String> keys = Set.of();

    /** The constructor James' matcher loader calls: the registry where relay mailets publish their route files. */
    @Inject
    public SenderHasRoute(RelayRegistry registry) {
        this.registry = registry;
    }

    /** Outside James' injector: a registry of its own, so files are always loaded by the matcher. */
    public SenderHasRoute() {
        this(new RelayRegistry());
    }

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition == null || condition.isBlank()) {
            throw new MessagingException("SenderHasRoute needs a condition: smart-hosts file paths and/or route keys");
        }
        List<FileRoutes> f = new ArrayList<>();
        Set<String> k = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (String part : condition.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.startsWith("/")) {
                Path file = Path.of(p);
                f.add(new FileRoutes(Optional.of(file), () -> new RouteSource(List.of(), Optional.of(file), Duration.ofSeconds(10),
                    Clock.systemUTC())));
            } else if (p.startsWith(POSTFIX) && p.substring(POSTFIX.length()).startsWith("/")) {
                // the relayhost map alone says which senders have a route; the password map only says who logs in
                Path map = Path.of(p.substring(POSTFIX.length()));
                f.add(new FileRoutes(Optional.empty(), () -> new RouteSource(List.of(), List.of(new PostfixRoutes(Optional.of(map),
                    Optional.empty(), Optional.empty(), "", false, Mechanism.XOAUTH2, Optional.empty())), Duration.ofSeconds(10),
                    Clock.systemUTC())));
            } else if (SmartHostsParser.parse(p + ": host=check.invalid", "condition").problems().isEmpty()) {
                k.add(p.toLowerCase(Locale.ROOT));
            } else {
                bad.add(p);
            }
        }
        if (!bad.isEmpty()) {
            throw new MessagingException("SenderHasRoute condition: not a path or route key: " + bad);
        }
        files = List.copyOf(f);
        keys = Set.copyOf(k);
    }

    @Override
    public Collection<MailAddress> match(Mail mail) {
        if (!mail.hasSender()) {
            return List.of();
        }
        String sender = mail.getMaybeSender().get().asString();
        for (String candidate : RouteTable.candidateKeys(sender)) {
            if (keys.contains(candidate)) {
                return mail.getRecipients();
            }
        }
        for (FileRoutes file : files) {
            if (file.table().lookup(sender).isPresent()) {
                return mail.getRecipients();
            }
        }
        return List.of();
    }

    /**
     * One file of the condition: for a smart-hosts file a running relay's copy of its routes, else a source loaded here
     * on first use.
     */
    @ThreadSafe
    private final class FileRoutes {

        private final Optional<Path> smartHosts;
        private final Supplier<RouteSource> loader;
        private volatile @Nullable RouteSource own;

        FileRoutes(Optional<Path> smartHosts, Supplier<RouteSource> loader) {
            this.smartHosts = smartHosts;
            this.loader = loader;
        }

        RouteTable table() {
            Optional<RouteTable> shared = smartHosts.flatMap(registry::smartHostsRoutes);
            if (shared.isPresent()) {
                return shared.get();
            }
            RouteSource mine = own;
            if (mine == null) {
                synchronized (this) {
                    if (own == null) {
                        own = loader.get();
                    }
                    mine = own;
                }
            }
            return mine.current();
        }
    }
}
