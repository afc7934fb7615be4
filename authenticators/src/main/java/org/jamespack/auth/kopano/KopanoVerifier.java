package org.jamespack.auth.kopano;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.foundation.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * Checks a password by logging on to a Kopano or Zarafa server over MAPI-in-SOAP, as pam_mapi
 * does, and, when a feature gate is configured, by reading the user's object class and
 * effective disabled-features list with {@code getUser}, as Kopano's own IMAP and POP3
 * gateways decide. Every session is logged off.
 *
 * <p>Thread-safe: any number of James threads may call {@link #verify} at once; each call runs on
 * a connection of its own, taken from and given back to a keep-alive pool.
 *
 * <p>What the verdicts mean here (the wire facts are in the package documentation):
 * <ul>
 * <li>REJECTED: the server answered logon with 0x80000009. It answers <em>every</em> logon
 *     failure so: wrong password, unknown or non-active user, and its own directory or database
 *     outage alike. A groupware-side directory outage therefore looks like a wrong password and
 *     cannot be told apart on the wire.</li>
 * <li>DISABLED: logged on, but the object is not an active user, or no feature of the gate is on,
 *     or gates are set and this login's protocol has none and is not in {@code ungatedProtocols}.</li>
 * <li>UNAVAILABLE: refused, reset or timed-out connection, HTTP error status, SOAP Fault,
 *     unparseable answer, a logon or getUser answer whose {@code er} is absent, nil, empty or not a
 *     number (a server fault: never read as 0), an expired session twice in a row; and, with an ERROR log, answers that
 *     mean this client or its configuration is wrong (0x80000031, 0x80000021, a gate on a server
 *     without features).</li>
 * </ul>
 */
@ThreadSafe
public final class KopanoVerifier implements CredentialVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(KopanoVerifier.class);

    static final String CLIENT_APP = "jamespack-kopano-auth";

    private final KopanoSettings settings;
    private final @Nullable SoapHttpClient client;
    private final String misconfigured;
    private final String name;

    private KopanoVerifier(KopanoSettings settings, @Nullable SoapHttpClient client, String misconfigured) {
        this.settings = settings;
        this.client = client;
        this.misconfigured = misconfigured;
        this.name = "kopano";
    }

    /**
     * A verifier for {@code settings}. Opens no connection yet. Throws {@link
     * IllegalArgumentException} when the trust store cannot be read.
     */
    public static KopanoVerifier create(KopanoSettings settings) {
        return new KopanoVerifier(settings, new SoapHttpClient(settings), "");
    }

    /**
     * Reads a {@code <kopano>} element with {@link KopanoSettings#from(ConfigNode)} (see the package
     * documentation for its shape and keys). Problems are recorded on {@code node.problems()} with file, line and key, all of them,
     * rather than thrown; when there were any, the verifier returned answers UNAVAILABLE and never
     * connects, and the caller is expected to fail start-up with {@code problems().throwIfAny()}.
     * The attributes {@code control} and {@code name} belong to the chain loader and are not read
     * here; the caller calls {@link ConfigNode#reportUnread()} after reading them, to name typos.
     */
    public static KopanoVerifier fromConfig(ConfigNode node) {
        int before = node.problems().list().size();
        KopanoSettings settings = KopanoSettings.from(node);
        if (node.problems().list().size() > before) {
            return misconfigured(settings, node.location());
        }
        try {
            return create(settings);
        } catch (IllegalArgumentException e) {
            node.problem(KopanoSettings.KEY_TRUST_STORE, e.getMessage());
            return misconfigured(settings, node.location());
        }
    }

    private static KopanoVerifier misconfigured(KopanoSettings settings, String where) {
        return new KopanoVerifier(settings, null, "misconfigured at " + where);
    }

    /** The settings in force. */
    public KopanoSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        Optional<Verdict> refused = InputGuard.precheck(attempt);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (client == null) {
            return Verdict.unavailable(Reason.SERVER_ERROR, "kopano verifier " + misconfigured);
        }
        char[] pw = attempt.password().chars();
        String password;
        try {
            if (!Soap.xmlSafe(pw) || !Soap.xmlSafe(attempt.login().toCharArray())) {
                return Verdict.rejected(Reason.MALFORMED_INPUT, "a character SOAP cannot carry");
            }
            password = new String(pw);
        } finally {
            Arrays.fill(pw, '\0');
        }
        long start = System.nanoTime();
        Optional<ServiceGate> gateFor = settings.gateFor(attempt.protocol());
        // no gate for this protocol while others have one: the password is still checked, so DISABLED means "right password"
        ServiceGate gate = gateFor.orElse(ServiceGate.NONE);
        Verdict verdict;
        try (SoapHttpClient.Exchange x = client.exchange()) {
            verdict = check(x, attempt, password, gateFor);
        } catch (SocketTimeoutException e) {
            verdict = Verdict.unavailable(Reason.TIMEOUT, "no answer from " + where() + " within "
                + settings.responseTimeout().toMillis() + " ms", e);
        } catch (SSLException e) {
            verdict = Verdict.unavailable(Reason.TLS_FAILURE, "TLS with " + where() + " failed: " + e.getMessage(), e);
        } catch (SoapHttpClient.HttpStatusException e) {
            verdict = Verdict.unavailable(Reason.SERVER_ERROR, where() + " answered " + e.getMessage(), e);
        } catch (IOException e) {
            verdict = Verdict.unavailable(Reason.CONNECT_FAILED, "cannot talk to " + where() + ": " + e, e);
        } catch (Soap.MalformedAnswerException e) {
            // not a parse failure: a server that answers without an error code is faulty, and says nothing about the password
            verdict = Verdict.unavailable(Reason.SERVER_ERROR, "server fault at " + where() + ": " + e.getMessage(), e);
        } catch (Soap.FaultException e) {
            verdict = Verdict.unavailable(Reason.SERVER_ERROR, where() + " answered " + e.getMessage(), e);
        } catch (Soap.SoapException e) {
            verdict = Verdict.unavailable(Reason.PROTOCOL_ERROR, "cannot read the answer of " + where() + ": " + e.getMessage(), e);
        }
        log(attempt, gate, verdict, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return verdict;
    }

    private String where() {
        return settings.url().toString();
    }

    private Verdict check(SoapHttpClient.Exchange x, LoginAttempt attempt, String password, Optional<ServiceGate> gateFor)
        throws IOException, Soap.SoapException {
        int flags = Soap.FLAG_NO_UID_AUTH | (settings.sessionless() ? Soap.FLAG_NO_REGISTER_SESSION : 0);
        // an expired session (END_OF_SESSION on getUser) earns one fresh logon, not more
        for (int round = 1; ; round++) {
            Soap.LogonResult logon;
            try {
                logon = logon(x, attempt.login(), password, flags);
            } catch (Soap.MalformedAnswerException e) {
                if (e.sessionId() != 0) {
                    logoff(x, e.sessionId());
                }
                throw e;
            }
            Optional<Verdict> failed = logonFailure(logon, attempt);
            if (failed.isPresent()) {
                return failed.get();
            }
            long session = logon.sessionId();
            try {
                if (settings.sessionless()) {
                    return Verdict.accepted();
                }
                if (session == 0) {
                    return Verdict.unavailable(Reason.PROTOCOL_ERROR, where() + " accepted the logon but gave no session id");
                }
                Soap.UserResult user = getUser(x, session);
                if (user.er() == Soap.END_OF_SESSION) {
                    // the session is gone on the server: nothing to log off
                    session = 0;
                    if (round == 1) {
                        LOG.debug("kopano: session of {} ended before getUser, logging on again", LogSafe.lazy(attempt.login()));
                        continue;
                    }
                    return Verdict.unavailable(Reason.SERVER_ERROR, where() + " ended the session twice before getUser "
                        + "(END_OF_SESSION: source-address binding or a very short session time-out?)");
                }
                if (user.er() != 0) {
                    return Verdict.unavailable(Reason.SERVER_ERROR, "getUser answered " + hex(user.er()));
                }
                if (user.objectClass() != Soap.ACTIVE_USER) {
                    return Verdict.disabled(Reason.ACCOUNT_DISABLED, "object class " + user.objectClass()
                        + " is not an active user");
                }
                if (gateFor.isEmpty()) {
                    return Verdict.disabled(Reason.FEATURE_DISABLED, "protocol " + attempt.protocol().configName()
                        + " has no service gate while others have one, and is not listed in " + KopanoSettings.KEY_UNGATED_PROTOCOLS);
                }
                ServiceGate gate = gateFor.get();
                if (gate.isOpen()) {
                    return Verdict.accepted();
                }
                if (user.disabled().isEmpty() && user.enabled().isEmpty() || logon.major() >= 0 && logon.major() < 7) {
                    String why = "service gate '" + gate + "' cannot be checked: " + where() + " (version '"
                        + logon.version() + "') reports no per-user features (Zarafa before 7 has none); "
                        + "remove the service setting for this server";
                    LOG.error("kopano: {}", why);
                    return Verdict.unavailable(Reason.PROTOCOL_ERROR, why);
                }
                if (gate.passes(user.disabled().orElse(List.of()))) {
                    return Verdict.accepted();
                }
                return Verdict.disabled(Reason.FEATURE_DISABLED, "none of the features '" + gate + "' is enabled");
            } finally {
                if (session != 0) {
                    logoff(x, session);
                }
            }
        }
    }

    private Optional<Verdict> logonFailure(Soap.LogonResult logon, LoginAttempt attempt) {
        long er = logon.er();
        if (er == 0) {
            return Optional.empty();
        }
        if (er == Soap.LOGON_FAILED) {
            return Optional.of(Verdict.rejected(Reason.INVALID_CREDENTIALS, "logon failed (0x80000009: wrong password, "
                + "unknown or non-active user, or the server's own directory failing)"));
        }
        if (er == Soap.UNICODE_MISSING || er == Soap.INVALID_VERSION) {
            String why = er == Soap.UNICODE_MISSING
                ? "the server wants the Unicode capability (0x80000031)"
                : "the server refused the client version (0x80000021)";
            LOG.error("kopano: logon of {} at {} refused: {}; this is a client or configuration fault, not the user's",
                LogSafe.of(attempt.login()), where(), why);
            return Optional.of(Verdict.unavailable(Reason.PROTOCOL_ERROR, why));
        }
        return Optional.of(Verdict.unavailable(Reason.SERVER_ERROR, "logon answered " + hex(er)));
    }

    private static String hex(long er) {
        return "0x" + Long.toHexString(er);
    }

    private Soap.LogonResult logon(SoapHttpClient.Exchange x, String login, String password, int flags)
        throws IOException, Soap.SoapException {
        String body = Soap.logon(login, password, flags, CLIENT_APP);
        String masked = settings.debug() ? Soap.logon(login, Soap.MASK, flags, CLIENT_APP) : "";
        return Soap.logonResult(call(x, "logon", body, masked));
    }

    private Soap.UserResult getUser(SoapHttpClient.Exchange x, long session) throws IOException, Soap.SoapException {
        String body = Soap.getUser(Soap.sessionText(session));
        return Soap.userResult(call(x, "getUser", body, settings.debug() ? Soap.getUser(Soap.MASK) : ""));
    }

    /** Logs off; a failure is logged and does not change the verdict (the session expires in 300 s). */
    private void logoff(SoapHttpClient.Exchange x, long session) {
        try {
            String body = Soap.logoff(Soap.sessionText(session));
            long result = Soap.logoffResult(call(x, "logoff", body, settings.debug() ? Soap.logoff(Soap.MASK) : ""));
            if (result != 0) {
                LOG.debug("kopano: logoff answered {}", hex(result));
            }
        } catch (IOException | Soap.SoapException e) {
            LOG.warn("kopano: logoff at {} failed, the session lingers until the server's idle time-out: {}", where(),
                e.toString());
        }
    }

    private SoapElement call(SoapHttpClient.Exchange x, String op, String body, String masked)
        throws IOException, Soap.SoapException {
        if (settings.debug()) {
            LOG.info("kopano SOAP {} request: {}", op, LogSafe.of(masked, 8000));
        }
        SoapHttpClient.Answer answer = x.call(body);
        if (settings.debug()) {
            LOG.info("kopano SOAP {} answer (HTTP {}): {}", op, answer.status(),
                LogSafe.of(Soap.maskSessions(answer.body()), 8000));
        }
        if (answer.status() != 200) {
            // Kopano sends a Fault with HTTP 500; other statuses come from proxies or a broken server
            if (answer.body().contains("Fault")) {
                try {
                    SoapElement fault = Soap.parseBody(answer.body());
                    if (fault.name().equals("Fault")) {
                        throw new Soap.FaultException("HTTP " + answer.status() + ": " + Soap.faultText(fault));
                    }
                } catch (Soap.FaultException e) {
                    throw e;
                } catch (Soap.SoapException e) {
                    // not a readable Fault: the status says enough
                }
            }
            throw new SoapHttpClient.HttpStatusException(answer.status());
        }
        return Soap.parseBody(answer.body());
    }

    private void log(LoginAttempt attempt, ServiceGate gate, Verdict v, long millis) {
        Object login = LogSafe.lazy(attempt.login());
        String protocol = attempt.protocol().configName();
        switch (v.state()) {
            case ACCEPTED:
                LOG.debug("kopano: {} by {} ACCEPTED in {} ms", login, protocol, millis);
                break;
            case REJECTED:
                if (!settings.quiet()) {
                    LOG.info("kopano: {} by {} REJECTED: {} ({} ms)", login, protocol, v.detail(), millis);
                }
                break;
            case DISABLED:
                if (gate.isOpen()) {
                    LOG.info("kopano: {} by {} DISABLED: {} ({} ms)", login, protocol, v.detail(), millis);
                } else {
                    LOG.info("kopano: {} by {} DISABLED (service {}): {} ({} ms)", login, protocol, gate, v.detail(), millis);
                }
                break;
            case UNAVAILABLE:
            default:
                LOG.warn("kopano: {} by {} UNAVAILABLE: {} ({} ms)", login, protocol, v.detail(), millis);
                break;
        }
    }

    @Override
    public String toString() {
        return "KopanoVerifier[" + settings.url() + (client == null ? ", " + misconfigured : "") + "]";
    }
}
