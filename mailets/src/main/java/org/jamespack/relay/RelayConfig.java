package org.jamespack.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.relay.delivery.Policy;
import org.jamespack.relay.delivery.RelaySettings;
import org.jamespack.relay.delivery.RetrySchedule;
import org.jamespack.relay.route.PostfixRoutes;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteFiles;
import org.jamespack.relay.route.RouteProblem;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.SmartHostsParser;
import org.jamespack.relay.smtp.SmtpSettings;

import net.jcip.annotations.Immutable;

/**
 * The settings of one {@link XOAuth2Relay}, parsed from its {@code <mailet>} element; the keys, types, defaults and
 * meanings are the table in this package's {@code package-info}. Immutable (the trust store password is a
 * {@link Secret}, so printing the record shows no secret).
 */
@Immutable
record RelayConfig(String queueName, Optional<String> journalUrl, List<Route> inlineRoutes, Optional<Path> smartHostsFile,
                   Optional<RouteFiles> postfixRoutes, Duration smartHostsPoll, Optional<Path> tokenSourcesFile, RelaySettings delivery,
                   Optional<String> bounceProcessor, int deliveryThreads, SmtpSettings smtp, Duration tokenIdleRefresh,
                   Duration tokenUpkeep, Duration refreshTokenMaxAge, Optional<Path> brokerFile, boolean unauthenticated,
                   String refusedProcessor) {

    static final String QUEUE = "queue";
    static final String JOURNAL = "journal";
    static final String ROUTES = "routes";
    static final String SMART_HOSTS_FILE = "smartHostsFile";
    static final String SMART_HOSTS_POLL = "smartHostsPoll";
    static final String TOKEN_SOURCES_FILE = "tokenSourcesFile";
    static final String RETRY_SCHEDULE = "retrySchedule";
    static final String SLOW_RETRY = "slowRetry";
    static final String NO_ROUTE = "noRoute";
    static final String NULL_SENDER = "nullSender";
    static final String REWRITE_SENDER = "rewriteSender";
    static final String BOUNCE_PROCESSOR = "bounceProcessor";
    static final String DELIVERY_THREADS = "deliveryThreads";
    static final String CONNECT_TIMEOUT = "connectTimeout";
    static final String READ_TIMEOUT = "readTimeout";
    static final String IDLE_TIMEOUT = "idleTimeout";
    static final String DATA_END_TIMEOUT = "dataEndTimeout";
    static final String CONNECTION_WAIT = "connectionWait";
    static final String BACK_OFF = "backOff";
    static final String BACK_OFF_MAX = "backOffMax";
    static final String TRUST_STORE = "trustStore";
    static final String TRUST_STORE_PASSWORD = "trustStorePassword";
    static final String TRUST_STORE_TYPE = "trustStoreType";
    static final String MAX_AUTH_LINE = "maxAuthLine";
    static final String HELO = "helo";
    static final String TOKEN_IDLE_REFRESH = "tokenIdleRefresh";
    static final String TOKEN_UPKEEP = "tokenUpkeep";
    static final String REFRESH_TOKEN_MAX_AGE = "refreshTokenMaxAge";
    static final String BROKER_FILE = "brokerFile";
    static final String UNAUTHENTICATED = "unauthenticated";
    static final String REFUSED_PROCESSOR = "refusedProcessor";
    static final String BROKEN_ROUTE_PROBE_INTERVAL = "brokenRouteProbeInterval";
    static final String DELAY_WARNING_AFTER = "delayWarningAfter";

    static final String DEFAULT_QUEUE = "xoauth2-relay";

    /** Every key with its default, for the documentation test. */
    static final Map<String, String> DEFAULTS = defaults();

    /** A time-out or period that must be longer than zero (Angus takes 0 as "wait for ever"; a scheduler rejects it). */
    private static final Duration POSITIVE = Duration.ofMillis(1);

    RelayConfig {
        inlineRoutes = List.copyOf(inlineRoutes);
    }

    /**
     * Reads every key of {@code node}; problems go to the node's collector (the caller throws them all at once, after
     * the token registry has read its own keys from the same node).
     *
     * @param haveRepositories whether James' mail repositories are at hand ({@code journal} needs them)
     */
    static RelayConfig from(ConfigNode node, String origin, boolean haveRepositories) {
        String queueName = node.string(QUEUE, DEFAULT_QUEUE);
        Optional<String> journalUrl = node.string(JOURNAL);
        if (journalUrl.isPresent() && !haveRepositories) {
            node.problem(JOURNAL, "needs James' mail repositories (the mailet was built without them)");
        }
        List<Route> inline = new ArrayList<>();
        node.string(ROUTES).ifPresent(text -> {
            // indented lines in the XML are routes of their own here, not exim continuation lines
            String unindented = String.join("\n", text.lines().map(String::strip).toArray(String[]::new));
            SmartHostsParser.Result r = SmartHostsParser.parse(unindented, origin + " " + ROUTES + " line");
            inline.addAll(r.routes());
            for (RouteProblem p : r.problems()) {
                node.problems().add(p.toString());
            }
        });
        Optional<Path> file = node.string(SMART_HOSTS_FILE).map(Path::of);
        file.filter(f -> !Files.isReadable(f)).ifPresent(f -> node.problem(SMART_HOSTS_FILE, "'" + f + "' cannot be read"));
        Duration poll = node.duration(SMART_HOSTS_POLL, Duration.ofSeconds(10));
        Optional<RouteFiles> postfix = PostfixRoutes.fromConfig(node).map(RouteFiles.class::cast);
        RetrySchedule schedule = node.parsed(RETRY_SCHEDULE, RetrySchedule::parse).orElse(RetrySchedule.parse(RetrySchedule.DEFAULT));
        Duration slowRetry = node.duration(SLOW_RETRY, Duration.ofHours(1));
        Policy noRoute = node.choice(NO_ROUTE, Policy.PASS_THROUGH, Policy.forNoRoute());
        Policy nullSender = node.choice(NULL_SENDER, Policy.PASS_THROUGH, Policy.forNullSender());
        boolean rewrite = node.bool(REWRITE_SENDER, false);
        Optional<String> bounceProcessor = node.string(BOUNCE_PROCESSOR);
        int threads = node.integer(DELIVERY_THREADS, 4, 1, 64);
        Duration connectTimeout = node.duration(CONNECT_TIMEOUT, Duration.ofSeconds(30), POSITIVE);
        Duration readTimeout = node.duration(READ_TIMEOUT, Duration.ofMinutes(2), POSITIVE);
        Duration idleTimeout = node.duration(IDLE_TIMEOUT, Duration.ofSeconds(60));
        Duration dataEndTimeout = node.duration(DATA_END_TIMEOUT, SmtpSettings.RFC5321_DATA_END_TIMEOUT, POSITIVE);
        Duration connectionWait = node.duration(CONNECTION_WAIT, Duration.ofSeconds(30));
        Duration backOff = node.duration(BACK_OFF, Duration.ofMinutes(1));
        Duration backOffMax = node.duration(BACK_OFF_MAX, Duration.ofMinutes(30));
        Optional<Path> trustStore = node.string(TRUST_STORE).map(Path::of);
        Optional<Secret> trustStorePassword = node.secret(TRUST_STORE_PASSWORD);
        String trustStoreType = node.choice(TRUST_STORE_TYPE, "PKCS12", Map.of("pkcs12", "PKCS12", "jks", "JKS"));
        int maxAuthLine = node.integer(MAX_AUTH_LINE, SmtpSettings.RFC4954_AUTH_LINE, 64, 1_000_000);
        Optional<Path> tokenFile = node.string(TOKEN_SOURCES_FILE).map(Path::of);
        Optional<String> helo = node.string(HELO);
        Duration idleRefresh = node.duration(TOKEN_IDLE_REFRESH, Duration.ofDays(1), POSITIVE);
        Duration upkeep = node.duration(TOKEN_UPKEEP, Duration.ofMinutes(1));
        Duration maxAge = node.duration(REFRESH_TOKEN_MAX_AGE, Duration.ofDays(60));
        Optional<Path> brokerFile = node.string(BROKER_FILE).map(Path::of);
        boolean unauthenticated = node.choice(UNAUTHENTICATED, Boolean.FALSE, Map.of("refuse", Boolean.FALSE, "allow", Boolean.TRUE));
        String refusedProcessor = node.string(REFUSED_PROCESSOR, "error");
        Duration probeInterval = node.duration(BROKEN_ROUTE_PROBE_INTERVAL, Duration.ofMinutes(5), Duration.ofSeconds(1));
        Duration delayWarning = node.duration(DELAY_WARNING_AFTER, Duration.ofHours(4));
        brokerFile.filter(f -> !Files.isReadable(f)).ifPresent(f -> node.problem(BROKER_FILE, "'" + f + "' cannot be read"));

        SmtpSettings smtp = new SmtpSettings(connectTimeout, readTimeout, Optional.empty(), Optional.empty(), "PKCS12", maxAuthLine,
            idleTimeout, helo, dataEndTimeout);
        if (trustStore.isPresent()) {
            smtp = smtp.withTrustStore(trustStore.get(), trustStorePassword, trustStoreType);
        }
        RelaySettings delivery = new RelaySettings(schedule, slowRetry, noRoute, nullSender, rewrite, backOff, backOffMax,
            connectionWait, probeInterval, delayWarning);
        return new RelayConfig(queueName, journalUrl, inline, file, postfix, poll, tokenFile, delivery, bounceProcessor, threads, smtp,
            idleRefresh, upkeep, maxAge, brokerFile, unauthenticated, refusedProcessor);
    }

    /**
     * The route table's source: the inline routes, then the smart-hosts file when it can be read (an unreadable file is
     * a configuration problem already reported), then the Postfix maps; an earlier one wins for a sender key.
     */
    RouteSource routeSource(Clock clock) {
        List<RouteFiles> files = new ArrayList<>(smartHostsFile.filter(Files::isReadable).map(RouteFiles::eximSmartHosts).stream()
            .toList());
        postfixRoutes.ifPresent(files::add);
        return new RouteSource(inlineRoutes, files, smartHostsPoll, clock);
    }

    /** How long {@code destroy} waits for running deliveries: one SMTP read time-out, at most 30 s. */
    Duration shutdownWait() {
        Duration max = Duration.ofSeconds(30);
        return smtp.readTimeout().compareTo(max) < 0 ? smtp.readTimeout() : max;
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(QUEUE, DEFAULT_QUEUE);
        d.put(JOURNAL, "");
        d.put(ROUTES, "");
        d.put(SMART_HOSTS_FILE, "");
        d.put(SMART_HOSTS_POLL, "10s");
        d.putAll(PostfixRoutes.DEFAULTS);
        d.put(TOKEN_SOURCES_FILE, "");
        d.put(RETRY_SCHEDULE, RetrySchedule.DEFAULT);
        d.put(SLOW_RETRY, "1h");
        d.put(NO_ROUTE, "pass-through");
        d.put(NULL_SENDER, "pass-through");
        d.put(REWRITE_SENDER, "false");
        d.put(BOUNCE_PROCESSOR, "");
        d.put(DELIVERY_THREADS, "4");
        d.put(CONNECT_TIMEOUT, "30s");
        d.put(READ_TIMEOUT, "2m");
        d.put(IDLE_TIMEOUT, "60s");
        d.put(DATA_END_TIMEOUT, "10m");
        d.put(CONNECTION_WAIT, "30s");
        d.put(BACK_OFF, "1m");
        d.put(BACK_OFF_MAX, "30m");
        d.put(TRUST_STORE, "");
        d.put(TRUST_STORE_PASSWORD, "");
        d.put(TRUST_STORE_TYPE, "PKCS12");
        d.put(MAX_AUTH_LINE, String.valueOf(SmtpSettings.RFC4954_AUTH_LINE));
        d.put(HELO, "");
        d.put(TOKEN_IDLE_REFRESH, "1d");
        d.put(TOKEN_UPKEEP, "1m");
        d.put(REFRESH_TOKEN_MAX_AGE, "60d");
        d.put(BROKER_FILE, "");
        d.put(UNAUTHENTICATED, "refuse");
        d.put(REFUSED_PROCESSOR, "error");
        d.put(BROKEN_ROUTE_PROBE_INTERVAL, "5m");
        d.put(DELAY_WARNING_AFTER, "4h");
        return Map.copyOf(d);
    }
}
