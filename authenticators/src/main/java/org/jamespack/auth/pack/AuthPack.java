package org.jamespack.auth.pack;

import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.VerdictMeter;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.auth.throttle.Judgement;
import org.jamespack.auth.throttle.ThrottlingVerifier;
import org.jamespack.foundation.config.ConfigException;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * The pack as configured by the {@code <authpack>} element of James' {@code usersrepository.xml},
 * and the entrance of every login: the mode, the verifier (one backend, or a chain, wrapped by
 * the cache and the throttle), the directory that lists users in directory mode, the audit log
 * every protocol adapter writes to, and the connections held back for a failure delay
 * ({@link ConnectionPauses}).
 *
 * <p>One login walks: the adapter, then {@link #verify} or {@link #judge} here, which check the
 * input once ({@link InputGuard}: what it refuses reaches neither the cache nor a backend, but
 * the throttle still counts and delays it as a failure), then the throttle, the cache, the
 * chain and the backend, never back.
 *
 * <p>Thread-safe: immutable after {@link #fromUsersRepository} but for the meter, set once
 * James' metrics exist; the verifiers it holds are thread-safe by contract. It has no public
 * constructor on purpose: Guice must never build one just in time (the protocol handlers
 * require the one bound by the pack's module).
 */
@ThreadSafe
public final class AuthPack implements AutoCloseable {

    /** The element inside {@code <usersrepository>} that holds the pack's settings. */
    public static final String ELEMENT = "authpack";
    /** James' file that holds the element. */
    public static final String USERS_REPOSITORY_FILE = "usersrepository.xml";
    /** The logger of the audit trail: one line per login, never a password. */
    public static final String AUDIT_LOGGER = "org.jamespack.auth.audit";

    static final String MODE = "mode";
    static final String CONTROL = "control";
    static final String NAME = "name";
    // James' own keys of <usersrepository>, read as James' UsersRepositoryImpl reads them
    static final String ENABLE_VIRTUAL_HOSTING = "enableVirtualHosting";
    static final String ADMINISTRATOR_ID = "administratorId";
    static final String ADMINISTRATOR_IDS = "administratorIds";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final Logger LOGGER = LoggerFactory.getLogger(AuthPack.class);

    private final PackMode mode;
    private final CredentialVerifier verifier;
    private final Optional<UserDirectory> directory;
    private final boolean virtualHosting;
    private final Set<String> administrators;
    private final String origin;
    private final Optional<CachingVerifier> cache;
    /** Set once James' metrics exist (after this pack was built, since the pack decides the Guice bindings). */
    private final AtomicReference<VerdictMeter> meter;
    private final ConnectionPauses pauses = new ConnectionPauses();
    private final MailHostAnswer.ImapStyle imapMailHostAnswer;

    private AuthPack(PackMode mode, CredentialVerifier verifier, Optional<UserDirectory> directory, boolean virtualHosting,
                     Set<String> administrators, String origin, Optional<CachingVerifier> cache,
                     AtomicReference<VerdictMeter> meter, MailHostAnswer.ImapStyle imapMailHostAnswer) {
        this.imapMailHostAnswer = imapMailHostAnswer;
        this.cache = cache;
        this.meter = meter;
        this.mode = mode;
        this.verifier = verifier;
        this.directory = directory;
        this.virtualHosting = virtualHosting;
        this.administrators = Set.copyOf(administrators);
        this.origin = origin;
    }

    /** Reads {@code usersrepository.xml} from a stream named {@code fileName} in messages. */
    public static AuthPack load(InputStream usersRepositoryXml, String fileName, BackendFactories factories) {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode root = ConfigNode.parse(usersRepositoryXml, fileName, problems);
        return fromUsersRepository(root, factories);
    }

    /**
     * Builds the pack from the root element of {@code usersrepository.xml}; every problem of
     * the {@code <authpack>} element (and of James' keys the pack reads) is thrown at once as a
     * {@link ConfigException} whose lines name file, line and key.
     */
    public static AuthPack fromUsersRepository(ConfigNode root, BackendFactories factories) {
        ConfigProblems problems = root.problems();
        boolean virtualHosting = root.bool(ENABLE_VIRTUAL_HOSTING, true);
        Set<String> administrators = new LinkedHashSet<>();
        root.string(ADMINISTRATOR_ID).ifPresent(administrators::add);
        root.child(ADMINISTRATOR_IDS).ifPresent(ids -> administrators.addAll(ids.list(ADMINISTRATOR_ID)));

        Optional<ConfigNode> element = root.child(ELEMENT);
        if (element.isEmpty()) {
            throw new ConfigException(root.location() + ": " + root.name() + ": no <" + ELEMENT
                + "> element: the pack needs its settings in " + USERS_REPOSITORY_FILE);
        }
        ConfigNode pack = element.get();
        PackMode mode = pack.choice(MODE, PackMode.DIRECTORY, PackMode.BY_CONFIG_NAME);
        MailHostAnswer.ImapStyle imapMailHostAnswer = pack.choice(MailHostAnswer.IMAP_KEY, MailHostAnswer.ImapStyle.REFERRAL,
            MailHostAnswer.ImapStyle.BY_CONFIG_NAME);

        List<Member> backends = new ArrayList<>();
        List<CredentialVerifier> opened = new ArrayList<>();
        Map<String, ConfigNode> wrappers = new java.util.HashMap<>();
        for (ConfigNode child : pack.children()) {
            String element0 = child.name();
            if (BackendFactories.WRAPPER_ORDER.contains(element0)) {
                if (wrappers.putIfAbsent(element0, child) != null) {
                    problems.add(child.location(), pack.keyPath(element0), "given more than once");
                }
                continue;
            }
            Optional<BackendFactories.BackendFactory> factory = factories.backend(element0);
            if (factory.isEmpty()) {
                problems.add(child.location(), pack.keyPath(element0),
                    "unknown backend (expected one of " + factories.backendNames() + ", or cache, throttle)");
                continue;
            }
            String control = child.string(CONTROL, "required").toLowerCase(Locale.ROOT);
            String name = child.string(NAME, element0 + (backends.isEmpty() ? "" : "-" + (backends.size() + 1)));
            CredentialVerifier raw;
            try {
                raw = factory.get().create(child);
            } catch (RuntimeException e) {
                problems.add(child.location(), pack.keyPath(element0), "cannot be built: " + e.getMessage());
                continue;
            }
            opened.add(raw);
            backends.add(new Member(name, control, raw, child));
        }
        if (backends.isEmpty() && problems.isEmpty()) {
            problems.add(pack.location(), pack.keyPath("ldap|kopano"), "at least one backend is required");
        }

        Optional<UserDirectory> directory = Optional.empty();
        if (mode == PackMode.DIRECTORY) {
            directory = backends.stream().map(Member::verifier).filter(UserDirectory.class::isInstance)
                .map(UserDirectory.class::cast).findFirst();
            if (directory.isEmpty() && !backends.isEmpty()) {
                problems.add(pack.location(), pack.keyPath(MODE), "directory mode needs a backend that can list users (ldap); "
                    + backends.get(0).name + " cannot: use mode=\"password-only\" and keep James' own users repository");
            }
        }

        CredentialVerifier verifier = null;
        AtomicReference<VerdictMeter> meter = new AtomicReference<>(VerdictMeter.NONE);
        Optional<CachingVerifier> cache = Optional.empty();
        if (!backends.isEmpty()) {
            verifier = Chains.of(backends, meter::get);
            for (String w : BackendFactories.WRAPPER_ORDER) {
                ConfigNode node = wrappers.get(w);
                if (node == null) {
                    continue;
                }
                Optional<BackendFactories.WrapperFactory> wrapper = factories.wrapper(w);
                if (wrapper.isEmpty()) {
                    problems.add(node.location(), pack.keyPath(w), "not available in this build");
                    continue;
                }
                verifier = wrapper.get().wrap(node, verifier);
                if (verifier instanceof CachingVerifier) {
                    cache = Optional.of((CachingVerifier) verifier);
                }
            }
        }
        pack.reportUnread();
        // backends may report their own unread keys too: say each problem once
        List<String> distinct = problems.list().stream().distinct().toList();
        if (!distinct.isEmpty()) {
            opened.forEach(AuthPack::closeQuietly);
            throw new ConfigException(distinct);
        }
        AuthPack built = new AuthPack(mode, verifier, directory, virtualHosting, administrators, pack.location(),
            cache, meter, imapMailHostAnswer);
        LOGGER.info("authpack: {} mode, verifier {} (from {})", mode.configName(), verifier.name(), pack.location());
        return built;
    }

    public PackMode mode() {
        return mode;
    }

    /** The verifier every adapter asks (chain, cache and throttle included). */
    public CredentialVerifier verifier() {
        return verifier;
    }

    /** The directory that lists users; present in directory mode. */
    public Optional<UserDirectory> directory() {
        return directory;
    }

    /** James' {@code enableVirtualHosting} (default true: logins are mail addresses). */
    public boolean virtualHosting() {
        return virtualHosting;
    }

    /** James' {@code administratorId(s)}, as written. */
    public Set<String> administrators() {
        return administrators;
    }

    /** How IMAP answers a right login whose mailbox is on another host ({@code imapMailHostAnswer}). */
    public MailHostAnswer.ImapStyle imapMailHostAnswer() {
        return imapMailHostAnswer;
    }

    /** The connections held back for a failure delay; closed with this pack. */
    public ConnectionPauses pauses() {
        return pauses;
    }

    /** The verdict cache, when {@code <cache>} is configured (WebAdmin invalidates it). */
    public Optional<CachingVerifier> cache() {
        return cache;
    }

    /** Sends verdict counts and backend latencies to {@code meter} from now on (James' metrics, once they exist). */
    public void meterWith(VerdictMeter meter) {
        this.meter.set(Objects.requireNonNull(meter, "meter"));
    }

    /** Where the {@code <authpack>} element was read, {@code file:line}. */
    public String origin() {
        return origin;
    }

    /**
     * Asks the verifier and writes one audit line (login, protocol, client, backend, verdict,
     * reason, duration; never the password). A verifier that throws breaks its contract: the
     * login is then UNAVAILABLE, never accepted. A throttle's failure delay is slept out on the
     * calling thread (bounded by its {@code maxConcurrentDelays}).
     */
    public Verdict verify(LoginAttempt attempt) {
        return ask(attempt, false).verdict();
    }

    /**
     * Like {@link #verify}, but never sleeps: the verdict comes at once, with the failure delay
     * the caller owes the client (it stops reading from the connection that long). Zero when
     * there is no throttle.
     */
    public Judgement judge(LoginAttempt attempt) {
        return ask(attempt, true);
    }

    /**
     * Sleeps out {@code owed}, bounded like the throttle's own delays, for a caller of
     * {@link #judge} that cannot hold back its connection after all.
     */
    public void waitOut(Duration owed) {
        if (verifier instanceof ThrottlingVerifier throttle) {
            throttle.waitOut(owed);
        }
    }

    private Judgement ask(LoginAttempt attempt, boolean callerDelays) {
        long start = System.nanoTime();
        Judgement judgement;
        try {
            // the walk's one input check: what it refuses never reaches the cache or a backend
            Optional<Verdict> refused = InputGuard.precheck(attempt);
            if (verifier instanceof ThrottlingVerifier throttle) {
                // a refused guess pays the failure delay and counts towards the penalty like a wrong one
                judgement = throttle.admit(attempt, refused, callerDelays);
            } else {
                judgement = Judgement.undelayed(refused.isPresent() ? refused.get() : verifier.verify(attempt));
            }
        } catch (RuntimeException e) {
            LOGGER.error("authpack: verifier {} threw instead of answering (a bug)", verifier.name(), e);
            judgement = Judgement.undelayed(
                Verdict.unavailable(Verdict.Reason.SERVER_ERROR, "verifier threw " + e.getClass().getSimpleName(), e));
        }
        audit(attempt, judgement.verdict(), (System.nanoTime() - start) / 1_000_000);
        return judgement;
    }

    /** Records a decision made without the verifier (e.g. a user unknown to James in password-only mode). */
    public void audit(LoginAttempt attempt, Verdict verdict, long millis) {
        meter.get().decision(verdict);
        // every value a client or a backend could shape goes through LogSafe: one event, one line
        Object[] args = {LogSafe.of(attempt.login()), attempt.protocol().configName(),
            attempt.client().map(InetAddress::getHostAddress).orElse("-"), verifier.name(),
            verdict.state(), verdict.reason(), verdict.detail().isEmpty() ? "-" : LogSafe.of(verdict.detail(), 400), millis};
        String format = "login={} protocol={} client={} backend={} verdict={} reason={} detail={} ms={}";
        if (verdict.mailHost().isPresent()) {
            // only then: every other line keeps its shape; a host name needs no escaping (Verdict checks it)
            format = "login={} protocol={} client={} backend={} verdict={} reason={} detail={} mailhost={} ms={}";
            args = new Object[] {args[0], args[1], args[2], args[3], args[4], args[5], args[6], verdict.mailHost().get(), millis};
        }
        switch (verdict.state()) {
            case UNAVAILABLE:
                if (verdict.reason() == Verdict.Reason.BUSY) {
                    // the throttle's "no check slot for this address": outsiders control its volume, like REJECTED's
                    AUDIT.info(format, args);
                    break;
                }
                AUDIT.warn(format + " cause={}", append(args,
                    verdict.cause().map(c -> c.getClass().getSimpleName() + ": " + LogSafe.of(String.valueOf(c.getMessage()), 400))
                    .orElse("-")));
                break;
            default:
                AUDIT.info(format, args);
        }
    }

    private static Object[] append(Object[] args, Object more) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
    }

    /** Closes the verifier (its connections and threads) and ends the failure delays' thread. */
    @Override
    public void close() {
        pauses.close();
        closeQuietly(verifier);
    }

    private static void closeQuietly(CredentialVerifier v) {
        try {
            v.close();
        } catch (RuntimeException e) {
            LOGGER.warn("authpack: closing verifier {} failed", v.name(), e);
        }
    }

    @Override
    public String toString() {
        return "AuthPack[" + mode.configName() + ", " + verifier.name() + ", " + origin + "]";
    }

    /** One backend element as written: its name, control word, verifier and element. */
    record Member(String name, String control, CredentialVerifier verifier, ConfigNode node) {
    }
}
