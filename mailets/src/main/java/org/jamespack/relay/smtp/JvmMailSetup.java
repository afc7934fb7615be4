package org.jamespack.relay.smtp;

import java.security.Security;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jspecify.annotations.Nullable;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * The two JVM-wide settings the relay's SMTP client needs while it is in use, put in place by the first
 * {@link SmtpConnector} and taken back when the last one is closed. Thread-safe (one lock over the count).
 *
 * <p>Why JVM-wide at all:
 * <ul>
 * <li>Angus Mail finds SASL clients with {@code javax.security.sasl.Sasl.createSaslClient}, handing it the session's
 *     properties; {@code Sasl} looks factories up only in the JVM's security providers, and neither Angus nor
 *     {@code Sasl} takes a factory from a property. So {@link BearerSaslProvider} must be in the provider list while
 *     a relay connects. It goes first (Angus' own XOAUTH2 provider would answer otherwise) and answers only sessions
 *     marked as the relay's, so nothing else in the JVM changes behaviour; it is removed when the last connector
 *     closes.</li>
 * <li>Angus' SASL authenticator logs each SASL response at FINE on the JUL logger {@code org.eclipse.angus.mail.smtp},
 *     which in the two-step XOAUTH2 exchange is the token itself. That logger is capped at INFO while a connector is
 *     open, whatever the operator's logging configuration says, and {@link #recapLogging} puts the cap back before
 *     every connection: logback's {@code LevelChangePropagator} (in James' stock {@code logback.xml}) sets or clears
 *     JUL levels each time logback is configured again. The logger is held here so that JUL cannot drop the level
 *     with a collected logger. When the last connector closes, the level found at the start comes back, unless
 *     someone set another since.</li>
 * </ul>
 * The count is the only mutable static, and it exists because what it guards is the JVM's own global state.
 */
@ThreadSafe
final class JvmMailSetup {

    private static final Logger ANGUS_SMTP_LOG = Logger.getLogger("org.eclipse.angus.mail.smtp");
    private static final Object LOCK = new Object();

    @GuardedBy("LOCK")
    private static int users;
    @GuardedBy("LOCK")
    private static @Nullable Level levelBefore;
    @GuardedBy("LOCK")
    private static boolean insertedProvider;

    private JvmMailSetup() {
    }

    /** Counts one more user; the first one installs the provider and caps the logger. */
    static void acquire() {
        synchronized (LOCK) {
            if (users++ == 0) {
                levelBefore = ANGUS_SMTP_LOG.getLevel();
                if (Security.getProvider(BearerSaslProvider.NAME) == null) {
                    Security.insertProviderAt(BearerSaslProvider.create(), 1);
                    insertedProvider = true;
                }
            }
        }
        recapLogging();
    }

    /** Counts one user less; the last one removes the provider and gives the logger its level back. */
    static void release() {
        synchronized (LOCK) {
            if (users == 0 || --users > 0) {
                return;
            }
            if (insertedProvider) {
                Security.removeProvider(BearerSaslProvider.NAME);
                insertedProvider = false;
            }
            if (Level.INFO.equals(ANGUS_SMTP_LOG.getLevel())) {
                ANGUS_SMTP_LOG.setLevel(levelBefore);
            }
            levelBefore = null;
        }
    }

    /** Caps Angus' SMTP logger at INFO again (logging may have been configured anew since the last connection). */
    static void recapLogging() {
        Level level = ANGUS_SMTP_LOG.getLevel();
        if (level == null || level.intValue() < Level.INFO.intValue()) {
            ANGUS_SMTP_LOG.setLevel(Level.INFO);
        }
    }

    /** How many connectors are open now (for tests). */
    static int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    /** Whether the provider is installed now (for tests). */
    static boolean providerInstalled() {
        return Security.getProvider(BearerSaslProvider.NAME) != null;
    }
}
