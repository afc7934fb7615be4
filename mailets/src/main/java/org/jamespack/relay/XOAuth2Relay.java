package org.jamespack.relay;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.broker.BrokerMain;
import org.jamespack.relay.broker.CredentialBroker;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.Policy;
import org.jamespack.relay.delivery.RegistryTokenSources;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.SubmitterCheck;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.ops.JamesRelayMetrics;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.ops.RelayRegistry;
import org.jamespack.relay.ops.RelayView;
import org.jamespack.relay.ops.RouteReports;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.smtp.SmtpConnector;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.relay.worker.QueueWorker;
import org.jamespack.relay.worker.TokenUpkeep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Relays mail to cloud smarthosts (Microsoft 365, Gmail, …) chosen by envelope sender, with
 * XOAUTH2/OAUTHBEARER tokens or passwords, over TLS only; used in {@code mailetcontainer.xml} in
 * place of RemoteDelivery for senders that have a route. Thread-safe: James calls
 * {@link #service} from many threads, and delivery runs on this mailet's own worker threads.
 *
 * <p>{@link #init} parses the settings ({@link RelayConfig}; the table of keys is in this package's documentation),
 * builds the parts (route source, token sources, SMTP connector, {@link RelayDelivery}, queue and journal) and starts
 * them (the {@link QueueWorker}'s threads, the {@link TokenUpkeep}, the credential broker).
 * {@link #service} puts routed mail into the mailet's own James mail queue (so a restart loses nothing) and ghosts
 * it; the workers deliver it through one reused connection per route and re-queue with a delay whatever could not
 * be delivered yet. Mail without a route follows {@code noRoute}; the null sender {@code nullSender}. Mail goes out
 * through a route's account only when its authenticated submitter may use it ({@link SubmitterCheck}); anything
 * else goes to {@code refusedProcessor} with the reason.
 *
 * <p>Operations: the relay's {@link RouteReports} are registered in the Guice singleton {@link RelayRegistry}
 * (injected, since James' mailet loader and not Guice builds the mailet), where the {@code xoauth2-relay} health
 * check and {@code /xoauth2-relay/routes} find them; the registry also shares the smart-hosts file's routes with
 * {@link SenderHasRoute}. Deliveries and token refreshes are counted through James' {@code MetricFactory};
 * {@code brokerFile} starts the credential broker. {@link #destroy} stops and closes all of it, in that order.
 */
@ThreadSafe
public final class XOAuth2Relay extends GenericMailet {

    /** Why the relay refused a message for its sender (String), set with James' {@code errorMessage}. */
    public static final AttributeName REFUSED = QueueWorker.REFUSED;

    public static final String DEFAULT_QUEUE = RelayConfig.DEFAULT_QUEUE;

    private static final Logger LOGGER = LoggerFactory.getLogger(XOAuth2Relay.class);

    private final MailQueueFactory<?> queueFactory;
    private final Optional<MailRepositoryStore> repositories;
    private final Optional<TokenSources> givenTokens;
    private final Clock clock;
    private final boolean startThreads;
    private final RelayMetrics metrics;
    private final RelayRegistry registry;
    private final SubmitterCheck.Ownership ownership;

    /** What init built; null before init and after a failed one. Written once in init, read by James' threads. */
    private volatile Running running;

    /** The parts of a started relay, closed in {@link #destroy} in the reverse order of their start. */
    private record Running(RelayConfig config, RouteSource routes, TokenSources tokens, SmtpConnector connector,
                           RelayDelivery delivery, QueueWorker worker, RouteReports view, Optional<Scheduler> scheduler,
                           Optional<CredentialBroker> broker) {
    }

    /**
     * The constructor James' mailet loader calls: the queue factory, James' metrics and the
     * registry through which the health check and WebAdmin see this relay.
     */
    @Inject
    public XOAuth2Relay(MailQueueFactory<?> queueFactory, MetricFactory metricFactory, RelayRegistry registry,
                        MailRepositoryStore repositories, UsersRepository users, CanSendFrom canSendFrom) {
        this(queueFactory, Optional.of(repositories), Optional.empty(), Clock.systemUTC(), true, new JamesRelayMetrics(metricFactory),
            registry, jamesOwnership(users, canSendFrom));
    }

    /** Outside James' injector: no metrics, a registry of its own, no mail repositories (then {@code journal} cannot be used). */
    public XOAuth2Relay(MailQueueFactory<?> queueFactory) {
        this(queueFactory, Optional.empty(), Optional.empty(), Clock.systemUTC(), true, RelayMetrics.NONE, new RelayRegistry());
    }

    /**
     * Test seam: token sources given directly (no registry), a clock, and no worker threads when
     * {@code startThreads} is false (then mail stays in the queue; no token upkeep runs).
     */
    XOAuth2Relay(MailQueueFactory<?> queueFactory, Optional<TokenSources> tokens, Clock clock, boolean startThreads) {
        this(queueFactory, Optional.empty(), tokens, clock, startThreads, RelayMetrics.NONE, new RelayRegistry());
    }

    /** Test seam with James' mail repositories (for {@code journal}). */
    XOAuth2Relay(MailQueueFactory<?> queueFactory, Optional<MailRepositoryStore> repositories, Optional<TokenSources> tokens,
                 Clock clock, boolean startThreads) {
        this(queueFactory, repositories, tokens, clock, startThreads, RelayMetrics.NONE, new RelayRegistry());
    }

    XOAuth2Relay(MailQueueFactory<?> queueFactory, Optional<TokenSources> tokens, Clock clock, boolean startThreads,
                 RelayMetrics metrics, RelayRegistry registry) {
        this(queueFactory, Optional.empty(), tokens, clock, startThreads, metrics, registry);
    }

    XOAuth2Relay(MailQueueFactory<?> queueFactory, Optional<MailRepositoryStore> repositories, Optional<TokenSources> tokens,
                 Clock clock, boolean startThreads, RelayMetrics metrics, RelayRegistry registry) {
        this(queueFactory, repositories, tokens, clock, startThreads, metrics, registry, SubmitterCheck.Ownership.EXACT);
    }

    XOAuth2Relay(MailQueueFactory<?> queueFactory, Optional<MailRepositoryStore> repositories, Optional<TokenSources> tokens,
                 Clock clock, boolean startThreads, RelayMetrics metrics, RelayRegistry registry, SubmitterCheck.Ownership ownership) {
        this.ownership = ownership;
        this.queueFactory = queueFactory;
        this.repositories = repositories;
        this.givenTokens = tokens;
        this.clock = clock;
        this.startThreads = startThreads;
        this.metrics = metrics;
        this.registry = registry;
    }

    /**
     * James' own answer to "may this user send as this address", as its SMTP {@code verifyIdentity} check gives it: the
     * address's user (the local part on a James without virtual hosting), then the recipient rewrite table's aliases
     * and domain aliases ({@code CanSendFrom}). Any failure to answer is a no: the mail is refused, never sent.
     */
    static SubmitterCheck.Ownership jamesOwnership(UsersRepository users, CanSendFrom canSendFrom) {
        return (submitter, sender) -> {
            try {
                Username user = Username.of(submitter);
                Username owner = users.getUsername(new MailAddress(sender));
                return owner.asString().equalsIgnoreCase(submitter) || canSendFrom.userCanSendFrom(user, owner);
            } catch (UsersRepositoryException | javax.mail.internet.AddressException | RuntimeException e) {
                LOGGER.warn("XOAuth2Relay: cannot tell whether {} may send as {}; refusing: {}", submitter, sender, e.toString());
                return false;
            }
        };
    }

    @Override
    public void init() throws MessagingException {
        ConfigProblems problems = new ConfigProblems();
        String origin = "mailetcontainer.xml: mailet " + getMailetName();
        ConfigNode node = ConfigNode.of(origin, getMailetName(), initParameters(), problems);
        RelayConfig config = RelayConfig.from(node, origin, repositories.isPresent());

        RouteSource routes = config.routeSource(clock);
        TokenSources tokens = givenTokens.orElseGet(() -> tokenSources(config, routes, node, problems));
        node.reportUnread();
        SmtpConnector connector = null;
        try {
            connector = new SmtpConnector(config.smtp());
        } catch (IllegalArgumentException e) {
            node.problem(RelayConfig.TRUST_STORE, e.getMessage());
        }
        try {
            problems.throwIfAny();
            Running built = build(config, routes, tokens, connector);
            running = start(built);
        } catch (MessagingException | RuntimeException e) {
            // a relay that did not start gives back the JVM-wide SMTP setup its connector took
            if (connector != null) {
                connector.close();
            }
            throw e;
        }
        registry.register(running.view());
        registry.publishRoutes(routes);
        LOGGER.info("XOAuth2Relay {}: queue {}, {} route(s), {} delivery thread(s), retry {}", getMailetName(), config.queueName(),
            routes.current().size(), startThreads ? config.deliveryThreads() : 0, config.delivery().schedule());
    }

    /** The delivery, queue (with what the journal held), worker and ops view over the checked configuration. */
    private Running build(RelayConfig config, RouteSource routes, TokenSources tokens, SmtpConnector connector)
            throws MessagingException {
        RelayDelivery delivery = new RelayDelivery(routes, tokens, connector, config.delivery(),
            new MailetBounces(getMailetContext(), config.bounceProcessor(), config.smtp().defaultHelo()), clock);
        warnAboutSendAs(routes.current().routes(), config.delivery().rewriteSender());
        MailQueueName name = MailQueueName.of(config.queueName());
        MailQueue queue = queueFactory.getQueue(name).map(q -> (MailQueue) q).orElseGet(() -> queueFactory.createQueue(name));
        Optional<MailRepository> journal = config.journalUrl().isPresent() ? Optional.of(openJournal(config.journalUrl().get(), queue))
            : Optional.empty();
        QueueWorker worker = new QueueWorker(getMailetName(), queue, journal, delivery, tokens,
            new SubmitterCheck(config.unauthenticated(), ownership), config.refusedProcessor(), getMailetContext(), metrics);
        RouteReports view = new RouteReports(getMailetName(), config.queueName(), queue, routes, tokens, delivery, metrics, clock,
            config.refreshTokenMaxAge());
        return new Running(config, routes, tokens, connector, delivery, worker, view, Optional.empty(), Optional.empty());
    }

    /** Starts the delivery threads and the token upkeep on a scheduler of this relay's own, then the broker. */
    private Running start(Running built) throws MessagingException {
        RelayConfig config = built.config();
        Optional<Scheduler> scheduler = Optional.empty();
        if (startThreads) {
            scheduler = Optional.of(Schedulers.newBoundedElastic(config.deliveryThreads(), Integer.MAX_VALUE,
                "xoauth2-relay-" + config.queueName()));
            built.worker().start(scheduler.get(), config.deliveryThreads());
            new TokenUpkeep(getMailetName(), built.routes(), built.tokens(), metrics).start(scheduler.get(),
                config.tokenIdleRefresh(), config.tokenUpkeep());
            sweepIdleConnections(scheduler.get(), built.delivery(), config.smtp().idleTimeout());
        }
        Optional<CredentialBroker> broker = Optional.empty();
        if (config.brokerFile().isPresent()) {
            try {
                broker = Optional.of(startBroker(config.brokerFile().get(), built.routes(), built.tokens()));
            } catch (MessagingException e) {
                // no half-started relay: the threads started above stop with the failed init
                built.worker().stop(java.time.Duration.ZERO);
                scheduler.ifPresent(Scheduler::dispose);
                throw e;
            }
        }
        return new Running(config, built.routes(), built.tokens(), built.connector(), built.delivery(), built.worker(),
            built.view(), scheduler, broker);
    }

    /**
     * Closes idle connections whose {@code idleTimeout} is over, checked every tenth of it (at least every second, at
     * most every 10 s), as Postfix's connection cache does with its time limit: none is kept past it waiting for a
     * message that may not come. Nothing to sweep with {@code idleTimeout=0} (no connection is kept).
     */
    private void sweepIdleConnections(Scheduler scheduler, RelayDelivery delivery, java.time.Duration idleTimeout) {
        if (idleTimeout.isZero()) {
            return;
        }
        long every = Math.min(10_000, Math.max(1_000, idleTimeout.toMillis() / 10));
        scheduler.schedulePeriodically(() -> {
            try {
                delivery.closeExpiredIdle(clock.instant());
            } catch (RuntimeException e) {
                LOGGER.warn("XOAuth2Relay {}: closing idle connections failed", getMailetName(), e);
            }
        }, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The {@code <mailet>} element's children; James hands its own attributes over as "[@match]", "[@class]". */
    private Map<String, String> initParameters() {
        Map<String, String> params = new LinkedHashMap<>();
        for (Iterator<String> it = getInitParameterNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.contains("[@")) {
                String value = getInitParameter(name);
                params.put(name, value == null ? "" : value);
            }
        }
        return params;
    }

    /**
     * The token registry of {@code tokenSourcesFile} and the mailet's token settings, every token route's reference
     * checked now so that an unknown one is a configuration error; none when no route uses a token.
     */
    private static TokenSources tokenSources(RelayConfig config, RouteSource routes, ConfigNode node, ConfigProblems problems) {
        boolean needsTokens = routes.current().routes().stream().anyMatch(Route::usesToken) || config.tokenSourcesFile().isPresent();
        if (!needsTokens) {
            return route -> Optional.empty();
        }
        List<ConfigNode> sourceNodes = new ArrayList<>();
        if (config.tokenSourcesFile().isPresent()) {
            try {
                sourceNodes.addAll(ConfigNode.parse(config.tokenSourcesFile().get(), problems).children("tokenSource"));
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            }
        }
        RegistryTokenSources registry = RegistryTokenSources.fromConfig(sourceNodes, node);
        for (Route r : routes.current().routes()) {
            if (r.usesToken()) {
                try {
                    registry.check(r);
                } catch (IllegalArgumentException e) {
                    problems.add(r.origin() + ": route '" + r.key() + "': oauth: " + e.getMessage());
                }
            }
        }
        return registry;
    }

    /** Opens the journal and queues again what it holds (messages accepted before a restart, not yet delivered). */
    private MailRepository openJournal(String url, MailQueue queue) throws MessagingException {
        MailRepository repository;
        try {
            repository = repositories.orElseThrow().select(MailRepositoryUrl.from(url));
        } catch (MailRepositoryStore.MailRepositoryStoreException | IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": " + RelayConfig.JOURNAL + ": cannot open '"
                + url + "': " + e.getMessage(), e);
        }
        int requeued = QueueWorker.replay(repository, queue);
        LOGGER.info("XOAuth2Relay {}: journal {} holds {} message(s) not yet delivered; queued again", getMailetName(), url,
            requeued);
        return repository;
    }

    /** Warns when a route's mailbox carries mail of other senders without rewriting (Microsoft: 554 5.2.252 SendAsDenied). */
    private static void warnAboutSendAs(List<Route> routes, boolean rewrite) {
        if (rewrite) {
            return;
        }
        for (Route r : routes) {
            if (r.user().isPresent() && !r.key().equalsIgnoreCase(r.user().get())) {
                LOGGER.warn("route '{}' ({}) authenticates as {} but carries mail of other senders ({}); without rewriteSender the "
                    + "mailbox needs Send As permission for them, or the provider refuses (554 5.2.252 SendAsDenied)", r.key(),
                    r.origin(), r.user().get(), r.key().contains("@") ? r.key() : "any sender matching '" + r.key() + "'");
            }
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getRecipients().isEmpty()) {
            return;
        }
        Running r = running;
        Optional<Route> route = r.delivery().routeFor(mail);
        if (route.isPresent() && r.worker().refused(mail, route.get())) {
            // the container moves it on to that processor, as ToProcessor does
            mail.setState(r.worker().refusedProcessor());
            return;
        }
        if (route.isEmpty()) {
            Policy policy = mail.hasSender() ? r.config().delivery().noRoute() : r.config().delivery().nullSender();
            if (policy == Policy.PASS_THROUGH) {
                return;
            }
            if (policy == Policy.BOUNCE) {
                new MailetBounces(getMailetContext(), r.config().bounceProcessor()).bounce(mail, mail.getRecipients(),
                    "No relay route for sender " + mail.getMaybeSender().asString(), -1);
                mail.setState(Mail.GHOST);
                return;
            }
        }
        r.worker().enqueue(mail);
        mail.setState(Mail.GHOST);
    }

    private CredentialBroker startBroker(Path file, RouteSource routes, TokenSources tokens) throws MessagingException {
        try {
            return BrokerMain.start(file, account -> brokerSource(account, routes, tokens));
        } catch (ConfigException e) {
            throw new MessagingException(getMailetName() + ": " + RelayConfig.BROKER_FILE + " " + file + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new MessagingException(getMailetName() + ": the credential broker socket of " + file + " could not be created: "
                + e.getMessage(), e);
        }
    }

    /** The broker's account → this relay's token source of a token route authenticating as that account. */
    private TokenSource brokerSource(String account, RouteSource routes, TokenSources tokens) {
        for (Route r : routes.current().routes()) {
            if (r.usesToken() && r.user().map(account::equalsIgnoreCase).orElse(false)) {
                return tokens.forRoute(r).orElseThrow(() -> new IllegalArgumentException("route '" + r.key() + "' ("
                    + r.origin() + ") has no usable token source"));
            }
        }
        throw new IllegalArgumentException("no route of mailet " + getMailetName() + " authenticates as " + account
            + " with oauth=");
    }

    /** The running credential broker, when {@code brokerFile} is set. */
    public Optional<CredentialBroker> broker() {
        Running r = running;
        return r == null ? Optional.empty() : r.broker();
    }

    /** The delivery engine (health: {@code delivery().unhealthy()}). */
    public RelayDelivery delivery() {
        return running.delivery();
    }

    /** What the health check and WebAdmin see of this relay. */
    RelayView view() {
        return running.view();
    }

    @Override
    public void destroy() {
        Running r = running;
        if (r == null) {
            return;
        }
        registry.unregister(r.view());
        registry.withdrawRoutes(r.routes());
        r.broker().ifPresent(CredentialBroker::close);
        // a delivery still running uses the connections and token sources closed below, and may re-queue
        // its mail: let it finish (bounded: one SMTP read time-out, at most 30 s) so nothing is closed under it
        r.worker().stop(r.config().shutdownWait());
        r.scheduler().ifPresent(Scheduler::dispose);
        r.delivery().close();
        r.connector().close();
        r.tokens().close();
    }

    @Override
    public String getMailetInfo() {
        return "XOAuth2Relay: per-sender smarthost relay with XOAUTH2 over TLS";
    }
}
