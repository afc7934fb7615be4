package org.jamespack.relay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.api.MailRepositoryStore;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.rrt.api.CanSendFrom;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.relay.delivery.DeliveryOutcome;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.Policy;
import org.jamespack.relay.delivery.RegistryTokenSources;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.RelaySettings;
import org.jamespack.relay.delivery.RetrySchedule;
import org.jamespack.relay.delivery.SubmitterCheck;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.broker.BrokerMain;
import org.jamespack.relay.broker.CredentialBroker;
import org.jamespack.relay.ops.JamesRelayMetrics;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.ops.RelayRegistry;
import org.jamespack.relay.ops.RelayView;
import org.jamespack.relay.ops.RouteHealth;
import org.jamespack.relay.ops.RouteReport;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.relay.token.TokenStatus;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteProblem;
import org.jamespack.relay.route.PostfixRoutes;
import org.jamespack.relay.route.RouteFiles;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.SmartHostsParser;
import org.jamespack.relay.smtp.SmtpConnector;
import org.jamespack.relay.smtp.SmtpSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Relays mail to cloud smarthosts (Microsoft 365, Gmail, …) chosen by envelope sender, with
 * XOAUTH2/OAUTHBEARER tokens or passwords, over TLS only; used in {@code mailetcontainer.xml} in
 * place of RemoteDelivery for senders that have a route. Thread-safe: James calls
 * {@link #service} from many threads, and delivery runs on this mailet's own worker threads.
 *
 * <p>{@link #service} puts routed mail into the mailet's own James mail queue (so a restart
 * loses nothing) and ghosts it; workers dequeue, deliver through one reused connection per route,
 * and re-queue with a delay (retry schedule) whatever could not be delivered yet. Mail without a
 * route follows {@code noRoute}; the null sender {@code nullSender}. Mail goes out through a route's account only
 * when its authenticated submitter owns the envelope sender, or the route names the submitter
 * ({@code submitters=}); mail with nobody authenticated only where {@code unauthenticated} allows; anything else goes
 * to {@code refusedProcessor} with the reason ({@link org.jamespack.relay.delivery.SubmitterCheck}, package docs).
 *
 * <p>Operations: the mailet registers itself in the Guice singleton
 * {@link org.jamespack.relay.ops.RelayRegistry} (injected, since James' mailet loader and not Guice
 * builds it), where the {@code xoauth2-relay} health check and {@code /xoauth2-relay/routes} find
 * it; deliveries and token refreshes are counted through James' {@code MetricFactory}; a token
 * upkeep keeps tokens fresh ahead of mail; {@code brokerFile} starts the credential broker (see
 * {@code org.jamespack.relay.ops}).
 *
 * <h2>Init parameters</h2>
 * <table>
 * <caption>Settings (child elements of {@code <mailet>})</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code queue}</td><td>name</td><td>{@code xoauth2-relay}</td><td>the relay's own mail queue; one per mailet instance</td></tr>
 * <tr><td>{@code journal}</td><td>mail repository URL</td><td>none</td><td>a persistent James mail repository (e.g.
 *   {@code file://var/mail/xoauth2-relay/}) holding every message until it is delivered or bounced; at start-up its
 *   messages are queued again. For James servers whose mail queue lives in memory (the memory server): without it a
 *   restart loses what was queued. One per mailet instance</td></tr>
 * <tr><td>{@code routes}</td><td>text</td><td>none</td><td>inline routes, one per line (indentation ignored), in smart-hosts
 *   syntax ({@code sender: host=H::PORT user=U oauth=REF}); they win over the file's</td></tr>
 * <tr><td>{@code smartHostsFile}</td><td>path</td><td>none</td><td>exim smart-hosts file (seed 002); re-read when it changes;
 *   bad lines are logged (ERROR, file:line and key) and skipped</td></tr>
 * <tr><td>{@code smartHostsPoll}</td><td>duration</td><td>{@code 10s}</td><td>how often the files' mtimes are checked (smart-hosts and Postfix files)</td></tr>
 * <tr><td>{@code postfixRelayhostMapsFile}</td><td>path</td><td>none</td><td>Postfix's {@code sender_dependent_relayhost_maps}
 *   source file ({@code user@domain} or {@code @domain}, then {@code [host]:port}); re-read when it changes, bad lines
 *   logged (ERROR, file:line and key) and skipped (see {@code org.jamespack.relay.route.PostfixRoutes})</td></tr>
 * <tr><td>{@code postfixSaslPasswordMapsFile}</td><td>path</td><td>none</td><td>Postfix's {@code smtp_sasl_password_maps}
 *   source file: {@code username:/path/to/sasl-xoauth2-token-file} per sender (with sender-dependent authentication),
 *   host name or {@code [host]:port}</td></tr>
 * <tr><td>{@code postfixRelayhost}</td><td>{@code [host]:port}</td><td>none</td><td>main.cf's {@code relayhost}: the
 *   route ({@code *}) of senders the relayhost map does not name</td></tr>
 * <tr><td>{@code postfixSenderDependentAuthentication}</td><td>boolean</td><td>{@code false}</td><td>main.cf's
 *   {@code smtp_sender_dependent_authentication}: look the password map up by sender before the smarthost</td></tr>
 * <tr><td>{@code postfixSaslMechanism}</td><td>{@code xoauth2|oauthbearer|plain|login}</td><td>{@code xoauth2}</td><td>main.cf's
 *   {@code smtp_sasl_mechanism_filter}; with xoauth2/oauthbearer the password is the token file's path</td></tr>
 * <tr><td>{@code postfixChroot}</td><td>path</td><td>none</td><td>where Postfix's smtp(8) runs chrooted (e.g.
 *   {@code /var/spool/postfix}): token file paths of the password map are read below it, as sasl-xoauth2 does</td></tr>
 * <tr><td>{@code tokenSourcesFile}</td><td>path</td><td>none</td><td>XML file with {@code <tokenSource>} elements for the token registry
 *   (its token settings — {@code saslXoauth2Config}, {@code tokenRefreshWindow}, … — are read from this mailet's parameters)</td></tr>
 * <tr><td>{@code retrySchedule}</td><td>exim retry rules</td><td>{@code F,2h,15m; G,16h,1h,1.5; F,4d,6h}</td><td>when to retry;
 *   transient and policy failures bounce when it ends, credential failures never bounce</td></tr>
 * <tr><td>{@code slowRetry}</td><td>duration</td><td>{@code 1h}</td><td>shortest wait after a policy or credential failure</td></tr>
 * <tr><td>{@code noRoute}</td><td>{@code pass-through|defer|bounce}</td><td>{@code pass-through}</td><td>sender without a route:
 *   leave it to the next mailet, keep it queued until a route appears (bounce at the schedule's end), or bounce now</td></tr>
 * <tr><td>{@code nullSender}</td><td>{@code pass-through|defer|bounce|default-route}</td><td>{@code pass-through}</td><td>mail with
 *   the null sender (bounces): as {@code noRoute}, or through the {@code *} route</td></tr>
 * <tr><td>{@code rewriteSender}</td><td>boolean</td><td>{@code false}</td><td>send as the route's account: envelope sender and a
 *   {@code From:} naming the original sender (seed 002's {@code Ffrs})</td></tr>
 * <tr><td>{@code bounceProcessor}</td><td>processor</td><td>none</td><td>where bounces go with {@code delivery-error} attributes
 *   (as RemoteDelivery); none: {@code MailetContext.bounce}</td></tr>
 * <tr><td>{@code deliveryThreads}</td><td>1..64</td><td>{@code 4}</td><td>worker threads</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>duration</td><td>{@code 30s}</td><td>TCP connect time-out</td></tr>
 * <tr><td>{@code readTimeout}</td><td>duration</td><td>{@code 2m}</td><td>time-out per SMTP reply</td></tr>
 * <tr><td>{@code idleTimeout}</td><td>duration</td><td>{@code 60s}</td><td>how long an idle connection waits for the next message</td></tr>
 * <tr><td>{@code connectionWait}</td><td>duration</td><td>{@code 30s}</td><td>wait for a busy route's connection before re-queueing</td></tr>
 * <tr><td>{@code backOff}</td><td>duration</td><td>{@code 1m}</td><td>first pause of a route after a 4xx (doubles)</td></tr>
 * <tr><td>{@code backOffMax}</td><td>duration</td><td>{@code 30m}</td><td>longest such pause</td></tr>
 * <tr><td>{@code trustStore}</td><td>path</td><td>JVM CAs</td><td>trust store for smarthost certificates</td></tr>
 * <tr><td>{@code trustStorePassword}</td><td>secret</td><td>none</td><td>its password</td></tr>
 * <tr><td>{@code trustStoreType}</td><td>{@code PKCS12|JKS}</td><td>{@code PKCS12}</td><td>its type</td></tr>
 * <tr><td>{@code maxAuthLine}</td><td>int</td><td>{@code 12288}</td><td>longest AUTH line with an initial response; longer
 *   responses are sent after the server's 334</td></tr>
 * <tr><td>{@code helo}</td><td>host name</td><td>local host name</td><td>EHLO name for routes without {@code helo=}</td></tr>
 * <tr><td>{@code tokenIdleRefresh}</td><td>duration</td><td>{@code 1d}</td><td>how often token sources idle that long are
 *   refreshed (refresh tokens die unused: Microsoft after 90 days)</td></tr>
 * <tr><td>{@code tokenUpkeep}</td><td>duration</td><td>{@code 1m}</td><td>how often every token route's token is asked for
 *   (a cached token costs nothing; inside the refresh window it is refreshed): tokens are ready before mail needs them, the
 *   broker serves fresh ones, and health follows the token endpoint without mail traffic; {@code 0s} turns it off</td></tr>
 * <tr><td>{@code refreshTokenMaxAge}</td><td>duration</td><td>{@code 60d}</td><td>a refresh token older than this makes the
 *   route DEGRADED in the health check</td></tr>
 * <tr><td>{@code brokerFile}</td><td>path</td><td>none</td><td>a {@code <broker>} XML file (settings in
 *   {@code org.jamespack.relay.broker}): James then runs the credential broker, serving the accounts of this relay's token
 *   routes from the relay's own token sources</td></tr>
 * <tr><td>{@code unauthenticated}</td><td>{@code refuse|allow}</td><td>{@code refuse}</td><td>whether mail with no
 *   authenticated submitter ({@code org.apache.james.SMTPAuthUser} unset: local processes, mailets, authorised networks)
 *   may go out through a route's account; a route's own {@code unauthenticated=} wins. The null sender is governed by
 *   {@code nullSender} alone</td></tr>
 * <tr><td>{@code refusedProcessor}</td><td>processor</td><td>{@code error}</td><td>where mail goes that may not use its
 *   route's account (sender not owned by the submitter, submitter not in the route's {@code submitters=}, nobody
 *   authenticated): with {@code errorMessage}, {@code delivery-error} and {@code org.jamespack.relay.refused} saying why;
 *   logged at WARN. The samples use a processor that keeps it in a repository without bouncing</td></tr>
 * </table>
 * Token settings read by the token registry from this element: {@code saslXoauth2Config}, {@code tokenRefreshWindow},
 * {@code tokenConnectTimeout}, {@code tokenReadTimeout}, {@code brokerTimeout} (see {@code org.jamespack.relay.token}).
 * Route settings (in {@code routes} and the file): {@code host} (required, {@code H} or {@code H::PORT}), {@code port},
 * {@code tls=starttls|implicit} (default starttls; implicit for port 465), {@code helo}, {@code user}, {@code oauth} or
 * {@code password}, {@code mechanism=xoauth2|oauthbearer|plain|login} (default xoauth2 with oauth, plain with password),
 * {@code preset=m365|none} (default m365 for smtp.office365.com: 30 messages/min, 10 000 recipients/day, 2 connections),
 * {@code messages-per-minute}, {@code recipients-per-day}, {@code connections}, {@code submitters} (James users allowed to
 * send through the account, comma-separated), {@code unauthenticated=allow|refuse}.
 */
@ThreadSafe
public final class XOAuth2Relay extends GenericMailet implements RelayView {

    public static final String QUEUE = "queue";
    public static final String JOURNAL = "journal";
    public static final String ROUTES = "routes";
    public static final String SMART_HOSTS_FILE = "smartHostsFile";
    public static final String SMART_HOSTS_POLL = "smartHostsPoll";
    public static final String TOKEN_SOURCES_FILE = "tokenSourcesFile";
    public static final String RETRY_SCHEDULE = "retrySchedule";
    public static final String SLOW_RETRY = "slowRetry";
    public static final String NO_ROUTE = "noRoute";
    public static final String NULL_SENDER = "nullSender";
    public static final String REWRITE_SENDER = "rewriteSender";
    public static final String BOUNCE_PROCESSOR = "bounceProcessor";
    public static final String DELIVERY_THREADS = "deliveryThreads";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String IDLE_TIMEOUT = "idleTimeout";
    public static final String CONNECTION_WAIT = "connectionWait";
    public static final String BACK_OFF = "backOff";
    public static final String BACK_OFF_MAX = "backOffMax";
    public static final String TRUST_STORE = "trustStore";
    public static final String TRUST_STORE_PASSWORD = "trustStorePassword";
    public static final String TRUST_STORE_TYPE = "trustStoreType";
    public static final String MAX_AUTH_LINE = "maxAuthLine";
    public static final String HELO = "helo";
    public static final String TOKEN_IDLE_REFRESH = "tokenIdleRefresh";
    public static final String TOKEN_UPKEEP = "tokenUpkeep";
    public static final String REFRESH_TOKEN_MAX_AGE = "refreshTokenMaxAge";
    public static final String BROKER_FILE = "brokerFile";
    public static final String UNAUTHENTICATED = "unauthenticated";
    public static final String REFUSED_PROCESSOR = "refusedProcessor";

    /** Why the relay refused a message for its sender (String), set with James' {@code errorMessage}. */
    public static final org.apache.mailet.AttributeName REFUSED = org.apache.mailet.AttributeName.of("org.jamespack.relay.refused");

    /** Every key with its default, for the documentation test. */
    public static final Map<String, String> DEFAULTS = defaults();

    public static final String DEFAULT_QUEUE = "xoauth2-relay";

    private static final Logger LOGGER = LoggerFactory.getLogger(XOAuth2Relay.class);

    private final MailQueueFactory<?> queueFactory;
    private final Optional<MailRepositoryStore> repositories;
    private final Optional<TokenSources> givenTokens;
    private final Clock clock;
    private final boolean startThreads;
    private final RelayMetrics metrics;
    private final RelayRegistry registry;
    private final SubmitterCheck.Ownership ownership;

    private volatile String queueName = DEFAULT_QUEUE;
    private volatile Duration refreshTokenMaxAge = Duration.ofDays(60);
    private volatile RouteSource routes;
    private volatile CredentialBroker broker;
    private volatile MailQueue queue;
    private volatile Optional<MailRepository> journal = Optional.empty();
    private volatile RelayDelivery delivery;
    private volatile RelaySettings settings;
    private volatile TokenSources tokens;
    private volatile Scheduler scheduler;
    private volatile Disposable workers;
    private volatile Duration shutdownWait = Duration.ZERO;
    private volatile SubmitterCheck submitters = new SubmitterCheck(false, SubmitterCheck.Ownership.EXACT);
    private volatile String refusedProcessor = "error";
    /** Deliveries running now; {@link #destroy} waits for them before it closes what they use. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

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
     * {@code startThreads} is false (then tests hand dequeued items to {@link #handle}).
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
        return Map.copyOf(d);
    }

    @Override
    public void init() throws MessagingException {
        ConfigProblems problems = new ConfigProblems();
        Map<String, String> params = new LinkedHashMap<>();
        for (Iterator<String> it = getInitParameterNames(); it.hasNext(); ) {
            String name = it.next();
            // James hands the <mailet> element's own attributes over as "[@match]", "[@class]"
            if (!name.contains("[@")) {
                String value = getInitParameter(name);
                params.put(name, value == null ? "" : value);
            }
        }
        String origin = "mailetcontainer.xml: mailet " + getMailetName();
        ConfigNode node = ConfigNode.of(origin, getMailetName(), params, problems);

        String queueName = node.string(QUEUE, DEFAULT_QUEUE);
        Optional<String> journalUrl = node.string(JOURNAL);
        if (journalUrl.isPresent() && repositories.isEmpty()) {
            node.problem(JOURNAL, "needs James' mail repositories (the mailet was built without them)");
        }
        List<Route> inline = new ArrayList<>();
        node.string(ROUTES).ifPresent(text -> {
            // indented lines in the XML are routes of their own here, not exim continuation lines
            String unindented = String.join("\n", text.lines().map(String::strip).toArray(String[]::new));
            SmartHostsParser.Result r = SmartHostsParser.parse(unindented, origin + " " + ROUTES + " line");
            inline.addAll(r.routes());
            for (RouteProblem p : r.problems()) {
                problems.add(p.toString());
            }
        });
        Optional<Path> file = node.string(SMART_HOSTS_FILE).map(Path::of);
        file.filter(f -> !Files.isReadable(f)).ifPresent(f -> node.problem(SMART_HOSTS_FILE, "'" + f + "' cannot be read"));
        Duration poll = node.duration(SMART_HOSTS_POLL, Duration.ofSeconds(10));
        RetrySchedule schedule = node.parsed(RETRY_SCHEDULE, RetrySchedule::parse).orElse(RetrySchedule.parse(RetrySchedule.DEFAULT));
        Duration slowRetry = node.duration(SLOW_RETRY, Duration.ofHours(1));
        Policy noRoute = node.choice(NO_ROUTE, Policy.PASS_THROUGH, Policy.forNoRoute());
        Policy nullSender = node.choice(NULL_SENDER, Policy.PASS_THROUGH, Policy.forNullSender());
        boolean rewrite = node.bool(REWRITE_SENDER, false);
        Optional<String> bounceProcessor = node.string(BOUNCE_PROCESSOR);
        int threads = node.integer(DELIVERY_THREADS, 4, 1, 64);
        // Angus takes 0 as "wait for ever": a time-out is always set, so 0 is a mistake to report
        Duration connectTimeout = positive(node, CONNECT_TIMEOUT, Duration.ofSeconds(30));
        Duration readTimeout = positive(node, READ_TIMEOUT, Duration.ofMinutes(2));
        Duration idleTimeout = node.duration(IDLE_TIMEOUT, Duration.ofSeconds(60));
        Duration connectionWait = node.duration(CONNECTION_WAIT, Duration.ofSeconds(30));
        Duration backOff = node.duration(BACK_OFF, Duration.ofMinutes(1));
        Duration backOffMax = node.duration(BACK_OFF_MAX, Duration.ofMinutes(30));
        Optional<Path> trustStore = node.string(TRUST_STORE).map(Path::of);
        Optional<Secret> trustStorePassword = node.secret(TRUST_STORE_PASSWORD);
        String trustStoreType = node.choice(TRUST_STORE_TYPE, "PKCS12", Map.of("pkcs12", "PKCS12", "jks", "JKS"));
        int maxAuthLine = node.integer(MAX_AUTH_LINE, SmtpSettings.RFC4954_AUTH_LINE, 64, 1_000_000);
        Optional<Path> tokenFile = node.string(TOKEN_SOURCES_FILE).map(Path::of);
        Optional<String> helo = node.string(HELO);
        // a period for the scheduler: 0 would make init fail later with the scheduler's own message, naming no key
        Duration idleRefresh = positive(node, TOKEN_IDLE_REFRESH, Duration.ofDays(1));
        Duration upkeep = node.duration(TOKEN_UPKEEP, Duration.ofMinutes(1));
        Duration maxAge = node.duration(REFRESH_TOKEN_MAX_AGE, Duration.ofDays(60));
        Optional<Path> brokerFile = node.string(BROKER_FILE).map(Path::of);
        boolean unauthenticated = node.choice(UNAUTHENTICATED, Boolean.FALSE, Map.of("refuse", Boolean.FALSE, "allow", Boolean.TRUE));
        String refusedProcessor = node.string(REFUSED_PROCESSOR, "error");
        brokerFile.filter(f -> !Files.isReadable(f)).ifPresent(f -> node.problem(BROKER_FILE, "'" + f + "' cannot be read"));

        List<RouteFiles> routeFiles = new ArrayList<>(file.filter(Files::isReadable).map(RouteFiles::eximSmartHosts).stream().toList());
        PostfixRoutes.fromConfig(node).ifPresent(routeFiles::add);
        RouteSource routes = new RouteSource(inline, routeFiles, poll, clock);
        boolean needsTokens = routes.current().routes().stream().anyMatch(Route::usesToken) || tokenFile.isPresent();
        TokenSources tokenSources = givenTokens.orElse(null);
        if (tokenSources == null) {
            if (needsTokens) {
                List<ConfigNode> sourceNodes = new ArrayList<>();
                if (tokenFile.isPresent()) {
                    try {
                        sourceNodes.addAll(ConfigNode.parse(tokenFile.get(), problems).children("tokenSource"));
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
                tokenSources = registry;
            } else {
                tokenSources = route -> Optional.empty();
            }
        }
        node.reportUnread();

        SmtpSettings smtp = new SmtpSettings(connectTimeout, readTimeout, Optional.empty(), Optional.empty(), "PKCS12", maxAuthLine,
            idleTimeout, helo);
        if (trustStore.isPresent()) {
            smtp = smtp.withTrustStore(trustStore.get(), trustStorePassword, trustStoreType);
        }
        SmtpConnector connector = null;
        try {
            connector = new SmtpConnector(smtp);
        } catch (IllegalArgumentException e) {
            node.problem(TRUST_STORE, e.getMessage());
        }
        problems.throwIfAny();

        this.queueName = queueName;
        this.submitters = new SubmitterCheck(unauthenticated, ownership);
        this.refusedProcessor = refusedProcessor;
        this.shutdownWait = readTimeout.compareTo(Duration.ofSeconds(30)) < 0 ? readTimeout : Duration.ofSeconds(30);
        this.refreshTokenMaxAge = maxAge;
        this.routes = routes;
        this.settings = new RelaySettings(schedule, slowRetry, noRoute, nullSender, rewrite, backOff, backOffMax, connectionWait);
        this.tokens = tokenSources;
        this.delivery = new RelayDelivery(routes, tokenSources, connector, settings,
            new MailetBounces(getMailetContext(), bounceProcessor), clock);
        warnAboutSendAs(routes.current().routes(), rewrite);
        MailQueueName name = MailQueueName.of(queueName);
        this.queue = queueFactory.getQueue(name).map(q -> (MailQueue) q).orElseGet(() -> queueFactory.createQueue(name));
        if (journalUrl.isPresent() && repositories.isPresent()) {
            this.journal = Optional.of(openJournal(journalUrl.get()));
        }
        if (startThreads) {
            scheduler = Schedulers.newBoundedElastic(threads, Integer.MAX_VALUE, "xoauth2-relay-" + queueName);
            workers = Flux.from(queue.deQueue())
                .flatMap(item -> Mono.fromRunnable(() -> handle(item)).subscribeOn(scheduler), threads)
                .subscribe();
            if (tokenSources instanceof RegistryTokenSources) {
                RegistryTokenSources registry = (RegistryTokenSources) tokenSources;
                // keeps refresh tokens of quiet accounts alive (Microsoft's die after 90 days unused)
                scheduler.schedulePeriodically(() -> {
                    try {
                        int n = registry.refreshIdle(idleRefresh);
                        LOGGER.info("XOAuth2Relay: refreshed {} idle token source(s)", n);
                    } catch (RuntimeException e) {
                        LOGGER.warn("XOAuth2Relay: idle token refresh failed", e);
                    }
                }, idleRefresh.toMillis(), idleRefresh.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            if (!upkeep.isZero() && routes.current().routes().stream().anyMatch(Route::usesToken)) {
                scheduler.schedulePeriodically(this::upkeepTokens, 0, upkeep.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        if (brokerFile.isPresent()) {
            startBroker(brokerFile.get());
        }
        registry.register(this);
        LOGGER.info("XOAuth2Relay {}: queue {}, {} route(s), {} delivery thread(s), retry {}", getMailetName(), queueName,
            routes.current().size(), startThreads ? threads : 0, schedule);
    }

    /**
     * Opens the journal and queues again what it holds: messages accepted before a restart and not yet delivered or
     * bounced (their attempt count and first-attempt time travel with them as attributes).
     */
    private MailRepository openJournal(String url) throws MessagingException {
        MailRepository repository;
        try {
            repository = repositories.orElseThrow().select(MailRepositoryUrl.from(url));
        } catch (MailRepositoryStore.MailRepositoryStoreException | IllegalArgumentException e) {
            throw new MessagingException("mailetcontainer.xml: mailet " + getMailetName() + ": " + JOURNAL + ": cannot open '" + url
                + "': " + e.getMessage(), e instanceof Exception ? (Exception) e : null);
        }
        int requeued = 0;
        for (Iterator<MailKey> keys = repository.list(); keys.hasNext(); ) {
            MailKey key = keys.next();
            Mail mail = repository.retrieve(key);
            if (mail == null) {
                continue;
            }
            try {
                queue.enQueue(mail);
                requeued++;
            } finally {
                LifecycleUtil.dispose(mail);
            }
        }
        LOGGER.info("XOAuth2Relay {}: journal {} holds {} message(s) not yet delivered; queued again", getMailetName(), url,
            requeued);
        return repository;
    }

    private static Duration positive(ConfigNode node, String key, Duration fallback) {
        Duration d = node.duration(key, fallback);
        if (d.isZero() || d.isNegative()) {
            node.problem(key, "must be longer than 0");
            return fallback;
        }
        return d;
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
        Optional<Route> route = delivery.routeFor(mail);
        if (route.isPresent() && refused(mail, route.get())) {
            // the container moves it on to that processor, as ToProcessor does
            mail.setState(refusedProcessor);
            return;
        }
        if (route.isEmpty()) {
            Policy policy = mail.hasSender() ? settings.noRoute() : settings.nullSender();
            if (policy == Policy.PASS_THROUGH) {
                return;
            }
            if (policy == Policy.BOUNCE) {
                new MailetBounces(getMailetContext(), Optional.ofNullable(getInitParameter(BOUNCE_PROCESSOR))
                    .filter(s -> !s.isBlank())).bounce(mail, mail.getRecipients(), "No relay route for sender "
                    + mail.getMaybeSender().asString(), -1);
                mail.setState(Mail.GHOST);
                return;
            }
        }
        if (journal.isPresent()) {
            // first on disk, then in the queue: a crash in between re-sends nothing twice and loses nothing
            journal.get().store(mail);
        }
        queue.enQueue(mail);
        mail.setState(Mail.GHOST);
    }

    /** Delivers one dequeued item and acknowledges it; what is left goes back with a delay first. */
    void handle(MailQueueItem item) {
        inFlight.incrementAndGet();
        Mail mail = item.getMail();
        try {
            Optional<Route> route = delivery.routeFor(mail);
            if (route.isPresent() && refused(mail, route.get())) {
                // checked again: the route table may have changed since the mail was queued (or the journal replayed it)
                getMailetContext().sendMail(mail, refusedProcessor);
                if (journal.isPresent()) {
                    journal.get().remove(MailKey.forMail(mail));
                }
                item.done(MailQueueItem.CompletionStatus.SUCCESS);
                return;
            }
            DeliveryOutcome outcome = delivery.deliver(mail);
            if (outcome instanceof DeliveryOutcome.Requeue) {
                if (journal.isPresent()) {
                    // what is left (fewer recipients, attempt count) replaces the journal's copy
                    journal.get().store(mail);
                }
                queue.enQueue(mail, ((DeliveryOutcome.Requeue) outcome).delay());
            } else if (journal.isPresent()) {
                journal.get().remove(MailKey.forMail(mail));
            }
            item.done(MailQueueItem.CompletionStatus.SUCCESS);
            count(route, outcome);
        } catch (Exception | LinkageError e) {
            // a bug must not lose the mail: put it back for later, then acknowledge
            LOGGER.error("XOAuth2Relay: unexpected failure delivering {}; re-queued for 15 minutes", mail.getName(), e);
            try {
                queue.enQueue(mail, Duration.ofMinutes(15));
                item.done(MailQueueItem.CompletionStatus.SUCCESS);
            } catch (MailQueue.MailQueueException again) {
                LOGGER.error("XOAuth2Relay: cannot re-queue {}; leaving it to the queue's own retry", mail.getName(), again);
                try {
                    item.done(MailQueueItem.CompletionStatus.RETRY);
                } catch (MailQueue.MailQueueException ignored) {
                    LOGGER.error("XOAuth2Relay: the queue refused RETRY for {}", mail.getName(), ignored);
                }
            }
        } finally {
            // the queue stored its own copy when re-queueing; this one's resources go now (as RemoteDelivery does)
            LifecycleUtil.dispose(mail);
            synchronized (inFlight) {
                if (inFlight.decrementAndGet() == 0) {
                    inFlight.notifyAll();
                }
            }
        }
    }

    /**
     * Whether {@code mail} may not use {@code route}'s account (see {@link SubmitterCheck}); when so, logs why (WARN:
     * an operator wants to know that someone sends as another) and marks the mail with the reason for the processor.
     */
    private boolean refused(Mail mail, Route route) {
        // James' SMTP server sets it to the authenticated user name (a String); anything else counts as nobody
        Optional<String> submitter = mail.getAttribute(Mail.SMTP_AUTH_USER).map(a -> a.getValue().value())
            .filter(String.class::isInstance).map(String.class::cast).filter(s -> !s.isBlank());
        Optional<String> why = submitters.refusal(mail.getMaybeSender().asOptional().map(MailAddress::asString), submitter, route);
        if (why.isEmpty()) {
            return false;
        }
        String reason = "XOAuth2Relay " + getMailetName() + " refused to send: " + why.get();
        LOGGER.warn("{}; mail {} handed to processor {}", reason, mail.getName(), refusedProcessor);
        mail.setAttribute(new org.apache.mailet.Attribute(REFUSED, org.apache.mailet.AttributeValue.of(why.get())));
        mail.setAttribute(new org.apache.mailet.Attribute(MailetBounces.DELIVERY_ERROR, org.apache.mailet.AttributeValue.of(reason)));
        mail.setErrorMessage(reason);
        return true;
    }

    private void count(Optional<Route> route, DeliveryOutcome outcome) {
        String key = route.map(Route::key).orElse("none");
        if (outcome instanceof DeliveryOutcome.Requeue) {
            metrics.deferred(key);
        } else {
            DeliveryOutcome.Done done = (DeliveryOutcome.Done) outcome;
            if (done.delivered() > 0) {
                metrics.sent(key);
            }
            if (done.bounced() > 0) {
                metrics.bounced(key);
            }
        }
        route.filter(Route::usesToken).flatMap(tokens::forRoute).ifPresent(s -> metrics.tokenObserved(s.status()));
    }

    /**
     * Asks every token route's source for its token: cached tokens cost nothing, tokens inside the
     * refresh window are refreshed now rather than when a message waits, and the health check and
     * metrics follow the token endpoint even when no mail flows.
     */
    void upkeepTokens() {
        try {
            for (Route r : routes.current().routes()) {
                if (!r.usesToken()) {
                    continue;
                }
                Optional<TokenSource> source = tokens.forRoute(r);
                if (source.isPresent()) {
                    source.get().token(false);
                    metrics.tokenObserved(source.get().status());
                }
            }
        } catch (RuntimeException e) {
            // the next tick tries again; mail delivery asks the sources itself anyway
            LOGGER.warn("XOAuth2Relay {}: token upkeep failed", getMailetName(), e);
        }
    }

    private void startBroker(Path file) throws MessagingException {
        try {
            broker = BrokerMain.start(file, this::brokerSource);
        } catch (ConfigException e) {
            throw new MessagingException(getMailetName() + ": " + BROKER_FILE + " " + file + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new MessagingException(getMailetName() + ": the credential broker socket of " + file + " could not be created: "
                + e.getMessage(), e);
        }
    }

    /** The broker's account → this relay's token source of a token route authenticating as that account. */
    private TokenSource brokerSource(String account) {
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
        return Optional.ofNullable(broker);
    }

    @Override
    public String name() {
        return getMailetName();
    }

    @Override
    public List<RouteReport> routeReports(boolean countQueued) {
        RouteSource current = routes;
        if (current == null) {
            return List.of();
        }
        Map<String, Long> queued = countQueued ? queuedPerRoute() : null;
        java.time.Instant now = clock.instant();
        List<RouteReport> out = new ArrayList<>();
        // sorted by sender key: the route table keeps no order an operator could rely on
        List<Route> sorted = new ArrayList<>(current.current().routes());
        sorted.sort(java.util.Comparator.comparing(Route::key));
        for (Route r : sorted) {
            Optional<TokenStatus> status = r.usesToken() ? tokens.forRoute(r).map(TokenSource::status) : Optional.empty();
            Optional<String> refused = delivery.gate(r).unhealthy();
            RouteHealth health = r.usesToken() && status.isEmpty()
                ? new RouteHealth(RouteHealth.State.UNHEALTHY, "no token source for oauth=" + r.oauth().get())
                : RouteHealth.of(refused, status, now, refreshTokenMaxAge);
            String credential = r.oauth().map(o -> "oauth=" + o).orElse(r.password().isPresent() ? "password" : "none");
            Optional<String> failure = status.flatMap(TokenStatus::lastFailure).or(() -> refused);
            out.add(new RouteReport(getMailetName(), queueName, r.key(), r.smarthost(), r.account(), credential, r.origin(), health,
                status.flatMap(TokenStatus::expiry), status.flatMap(TokenStatus::lastRefresh),
                status.flatMap(TokenStatus::lastFailureKind), failure, status.flatMap(TokenStatus::refreshTokenAge),
                status.map(TokenStatus::endpointCalls).orElse(0L),
                queued == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(queued.getOrDefault(r.key(), 0L))));
        }
        return out;
    }

    @Override
    public int resetAccount(String account) {
        RouteSource current = routes;
        if (current == null) {
            return 0;
        }
        int n = 0;
        for (Route r : current.current().routes()) {
            if (!r.account().equalsIgnoreCase(account)) {
                continue;
            }
            n++;
            delivery.gate(r).forgetRefusal();
            if (r.usesToken()) {
                tokens.forRoute(r).ifPresent(source -> {
                    source.reset();
                    source.token(false);
                    metrics.tokenObserved(source.status());
                });
            }
        }
        if (n > 0) {
            LOGGER.info("XOAuth2Relay {}: {} route(s) of {} reset by an operator", getMailetName(), n, account);
        }
        return n;
    }

    /** Messages waiting per route key, or null when the queue cannot be browsed. */
    private Map<String, Long> queuedPerRoute() {
        if (!(queue instanceof ManageableMailQueue)) {
            return null;
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        try {
            ManageableMailQueue.MailQueueIterator it = ((ManageableMailQueue) queue).browse();
            try {
                while (it.hasNext()) {
                    // browsed mails are the queue's, not copies (memory queue): never disposed here
                    Mail m = it.next().getMail();
                    delivery.routeFor(m).ifPresent(r -> counts.merge(r.key(), 1L, Long::sum));
                }
            } finally {
                it.close();
            }
        } catch (MailQueue.MailQueueException | RuntimeException e) {
            LOGGER.warn("XOAuth2Relay {}: cannot browse queue {}: {}", getMailetName(), queueName, e.toString());
            return null;
        }
        return counts;
    }

    /** The delivery engine (health: {@code delivery().unhealthy()}). */
    public RelayDelivery delivery() {
        return delivery;
    }

    @Override
    public void destroy() {
        registry.unregister(this);
        if (broker != null) {
            broker.close();
        }
        if (workers != null) {
            workers.dispose();
        }
        // a delivery still running uses the connections and token sources closed below, and may re-queue
        // its mail: let it finish (bounded: one SMTP read time-out, at most 30 s) so nothing is closed under it
        awaitDeliveries(shutdownWait);
        if (scheduler != null) {
            scheduler.dispose();
        }
        if (delivery != null) {
            delivery.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    private void awaitDeliveries(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOGGER.warn("XOAuth2Relay {}: {} delivery(ies) still running at shutdown", getMailetName(), inFlight.get());
                    return;
                }
                try {
                    inFlight.wait(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String getMailetInfo() {
        return "XOAuth2Relay: per-sender smarthost relay with XOAUTH2 over TLS";
    }
}
