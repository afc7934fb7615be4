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

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMatcher;
import org.jamespack.relay.route.Mechanism;
import org.jamespack.relay.route.PostfixRoutes;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.RouteTable;
import org.jamespack.relay.route.SmartHostsParser;

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
 * <p>It matches on the route alone, not on who submitted the mail: the mailet itself refuses mail whose submitter
 * does not own the sender (to its {@code refusedProcessor}), so that such mail never falls through to the next
 * mailet (RemoteDelivery) either.
 */
@ThreadSafe
public final class SenderHasRoute extends GenericMatcher {

    private static final String POSTFIX = "postfix:";

    private volatile List<RouteSource> files = List.of();
    private volatile Set<String> keys = Set.of();

    @Override
    public void init() throws MessagingException {
        String condition = getCondition();
        if (condition == null || condition.isBlank()) {
            throw new MessagingException("SenderHasRoute needs a condition: smart-hosts file paths and/or route keys");
        }
        List<RouteSource> f = new ArrayList<>();
        Set<String> k = new HashSet<>();
        List<String> bad = new ArrayList<>();
        for (String part : condition.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.startsWith("/")) {
                f.add(new RouteSource(List.of(), Optional.of(Path.of(p)), Duration.ofSeconds(10), Clock.systemUTC()));
            } else if (p.startsWith(POSTFIX) && p.substring(POSTFIX.length()).startsWith("/")) {
                // the relayhost map alone says which senders have a route; the password map only says who logs in
                f.add(new RouteSource(List.of(), List.of(new PostfixRoutes(Optional.of(Path.of(p.substring(POSTFIX.length()))),
                    Optional.empty(), Optional.empty(), "", false, Mechanism.XOAUTH2, Optional.empty())), Duration.ofSeconds(10),
                    Clock.systemUTC()));
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
        for (RouteSource source : files) {
            if (source.current().lookup(sender).isPresent()) {
                return mail.getRecipients();
            }
        }
        return List.of();
    }
}
