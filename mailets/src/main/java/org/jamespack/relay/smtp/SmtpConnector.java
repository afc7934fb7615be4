package org.jamespack.relay.smtp;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.tls.TrustAnchors;
import org.jamespack.relay.diagnosis.AuthChallenge;
import org.jamespack.relay.route.Mechanism;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.TlsMode;
import org.jamespack.relay.smtp.FailureClassifier.Phase;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import net.jcip.annotations.ThreadSafe;

/**
 * Opens authenticated, TLS-protected SMTP connections to a route's smarthost with Angus Mail.
 * Thread-safe (immutable after construction but for the closed flag). Close it when done: it owns its share of
 * the JVM-wide SASL provider and logger cap ({@link JvmMailSetup}).
 *
 * <p>Security stance: STARTTLS is required ({@code mail.smtp.starttls.required}) or TLS is
 * implicit; certificates are checked against the trust store (or the JVM's CAs) and the host
 * name against the certificate ({@code mail.smtp.ssl.checkserveridentity}); TLS 1.2+ only. There
 * is no path to plain text. For token routes the mechanism is forced: Angus' SASL path with
 * {@link BearerSaslProvider}'s clients, {@code mail.smtp.auth.mechanisms} limited to the same
 * mechanism, so a token can never go out as a LOGIN password. A smarthost that does not offer
 * the mechanism gets no mail (Angus would otherwise skip AUTH silently and send unauthenticated).
 * The AUTH exchange is never traced: {@code mail.debug.auth} is off and Angus' SMTP logger is capped at INFO.
 */
@ThreadSafe
public final class SmtpConnector implements AutoCloseable {

    private static final int MAX_SESSIONS = 256;

    private final SmtpSettings settings;
    private final SSLSocketFactory socketFactory;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RelaySockets sockets;
    private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService writeTimeouts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-smtp-write-timeout");
        t.setDaemon(true);
        return t;
    });

    /**
     * Opens the connector: until {@link #close}, the relay's SASL provider is installed and Angus' SMTP logger capped
     * ({@link JvmMailSetup}).
     *
     * @throws IllegalArgumentException when the trust store cannot be loaded (message names the file, never the password)
     */
    public SmtpConnector(SmtpSettings settings) {
        this.settings = settings;
        this.socketFactory = TrustAnchors.trustStoreFactory(settings.trustStore(), settings.trustStorePassword(),
            settings.trustStoreType());
        this.sockets = new RelaySockets(socketFactory);
        JvmMailSetup.acquire();
    }

    /** Gives back what the constructor put in place in the JVM once no other connector needs it; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writeTimeouts.shutdownNow();
            JvmMailSetup.release();
        }
    }

    /** The outcome of {@link #connect}. */
    public sealed interface ConnectResult permits Connected, Failed {
    }

    /** An open, authenticated connection. */
    public record Connected(RelayConnection connection) implements ConnectResult {
    }

    /** No connection, and why. */
    public record Failed(SmtpFailure failure) implements ConnectResult {
    }

    /**
     * Connects, secures and authenticates.
     *
     * @param credential the token ({@code oauth=} routes) or password; empty for routes without {@code user=}
     */
    public ConnectResult connect(Route route, Optional<Secret> credential) {
        if (closed.get()) {
            throw new IllegalStateException("connector closed");
        }
        JvmMailSetup.recapLogging();
        Session session = session(route);
        RelaySockets.Slot slot = new RelaySockets.Slot();
        // made here rather than by Session.getTransport: no provider look-up per connection, and the subclass's hooks
        RelayTransport transport = new RelayTransport(session, new URLName("smtp", route.host(), route.port(), null, null, null),
            slot, settings.readTimeout(), settings.dataEndTimeout());
        // the SASL client writes the server's error challenge here (see BearerSaslProvider.CHALLENGE_SINK)
        AtomicReference<String> challenge = new AtomicReference<>("");
        String user = route.user().orElse(null);
        String secret = credential.map(Secret::reveal).orElse(null);
        sockets.opening(slot);
        BearerSaslProvider.CHALLENGE_SINK.set(challenge);
        try {
            transport.connect(route.host(), route.port(), user, secret);
        } catch (AuthenticationFailedException e) {
            close(transport);
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("No authentication mechanisms supported")) {
                return new Failed(new SmtpFailure(Phase.CONNECT, SmtpReply.parse(""), true,
                    route.smarthost() + " does not offer AUTH " + route.mechanism().map(Mechanism::wireName).orElse("")));
            }
            SmtpReply reply = SmtpReply.parse(transport.getLastServerResponse());
            return new Failed(new SmtpFailure(Phase.AUTH, reply, false, route.smarthost() + " refused AUTH "
                + route.mechanism().map(Mechanism::wireName).orElse("") + " for " + route.account() + ": " + reply
                + AuthChallenge.mark(challenge.get())));
        } catch (MessagingException e) {
            close(transport);
            return new Failed(connectFailure(route, transport, e));
        } finally {
            BearerSaslProvider.CHALLENGE_SINK.remove();
            sockets.opened();
        }
        if (route.mechanism().isPresent() && !offers(transport, route.mechanism().get())) {
            close(transport);
            return new Failed(new SmtpFailure(Phase.CONNECT, SmtpReply.parse(""), true, route.smarthost()
                + " does not offer AUTH " + route.mechanism().get().wireName() + " after TLS; nothing is sent unauthenticated"));
        }
        return new Connected(new RelayConnection(route, session, transport));
    }

    private static void close(SMTPTransport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            // the connection is already gone; nothing left to release
            return;
        }
    }

    private static boolean offers(SMTPTransport transport, Mechanism mechanism) {
        String auth = transport.getExtensionParameter("AUTH");
        if (auth == null) {
            return false;
        }
        for (String m : auth.toUpperCase(Locale.ROOT).split("\\s+")) {
            if (m.equals(mechanism.wireName())) {
                return true;
            }
        }
        return false;
    }

    private static SmtpFailure connectFailure(Route route, SMTPTransport transport, MessagingException e) {
        String text = describe(e);
        if (isTlsProblem(e)) {
            return new SmtpFailure(Phase.CONNECT, SmtpReply.parse(""), true, route.smarthost() + ": TLS: " + text);
        }
        if (causedByIo(e)) {
            return new SmtpFailure(Phase.CONNECT, SmtpReply.parse(""), false, route.smarthost() + ": " + text);
        }
        String last = transport.getLastServerResponse();
        SmtpReply reply = SmtpReply.parse(last == null ? "" : last);
        return new SmtpFailure(Phase.CONNECT, reply, false, route.smarthost() + ": " + text);
    }

    static boolean isTlsProblem(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("STARTTLS is required") || m.contains("verify identity of server")
                || m.contains("convert socket to TLS"))) {
                return true;
            }
        }
        return false;
    }

    static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = next(t)) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable t) {
        if (t instanceof MessagingException && ((MessagingException) t).getNextException() != null
            && ((MessagingException) t).getNextException() != t) {
            return ((MessagingException) t).getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }

    /** The exception chain's messages; exceptions carry server replies and local errors, never what we sent. */
    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 5; t = next(t), depth++) {
            if (s.length() > 0) {
                s.append(" / ");
            }
            s.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                s.append(": ").append(t.getMessage().strip());
            }
        }
        return s.toString();
    }

    /**
     * The session for routes like {@code route}: its properties depend on the TLS mode, EHLO name, mechanism and port
     * only, never on the credential. Made once per kind, since making a session reads Jakarta Mail's provider lists
     * from the class path (milliseconds, on every connection otherwise).
     */
    private Session session(Route route) {
        String key = route.tls() + "|" + route.helo().or(settings::defaultHelo).orElse("") + "|"
            + route.mechanism().map(Mechanism::wireName).orElse("") + "|" + route.port();
        if (sessions.size() > MAX_SESSIONS) {
            // route tables are small; this only bounds a table that keeps changing its routes
            sessions.clear();
        }
        return sessions.computeIfAbsent(key, k -> Session.getInstance(properties(route)));
    }

    private Properties properties(Route route) {
        Properties p = new Properties();
        String prefix = "mail.smtp.";
        p.put(prefix + "connectiontimeout", String.valueOf(settings.connectTimeout().toMillis()));
        p.put(prefix + "timeout", String.valueOf(settings.readTimeout().toMillis()));
        p.put(prefix + "writetimeout", String.valueOf(settings.readTimeout().toMillis()));
        // one timer thread for every connection's write time-out; without it Angus starts a thread per connection
        p.put(prefix + "executor.writetimeout", writeTimeouts);
        p.put(prefix + "socketFactory", sockets.plain());
        route.helo().or(settings::defaultHelo).ifPresent(h -> p.put(prefix + "localhost", h));
        if (route.tls() == TlsMode.IMPLICIT) {
            p.put(prefix + "ssl.enable", "true");
        } else {
            p.put(prefix + "starttls.enable", "true");
            p.put(prefix + "starttls.required", "true");
        }
        p.put(prefix + "ssl.socketFactory", sockets.tls());
        p.put(prefix + "ssl.checkserveridentity", "true");
        p.put(prefix + "ssl.protocols", "TLSv1.3 TLSv1.2");
        p.put(prefix + "sendpartial", "true");
        p.put(prefix + "quitwait", "false");
        p.put("mail.debug.auth", "false");
        if (route.mechanism().isPresent()) {
            Mechanism m = route.mechanism().get();
            p.put(prefix + "auth", "true");
            p.put(prefix + "auth.mechanisms", m.wireName());
            if (m.usesToken()) {
                p.put(prefix + "sasl.enable", "true");
                p.put(prefix + "sasl.mechanisms", m.wireName());
                p.put(BearerSaslProvider.MARKER, "true");
                p.put(BearerSaslProvider.MAX_AUTH_LINE, String.valueOf(settings.maxAuthLine()));
                p.put(BearerSaslProvider.PORT, String.valueOf(route.port()));
            } else {
                p.put(prefix + "sasl.enable", "false");
            }
        } else {
            p.put(prefix + "auth", "false");
        }
        return p;
    }

    public SmtpSettings settings() {
        return settings;
    }
}
