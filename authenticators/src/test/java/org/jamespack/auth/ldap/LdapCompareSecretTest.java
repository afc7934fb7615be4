package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicReference;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedCompareRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;

/**
 * The Compare operation carries the password in clear, and UnboundID writes the whole request
 * ({@code CompareRequest(dn=…, attr=…, value='<password>')}) into the exception it throws when the
 * connection closes before the answer. That exception is the UNAVAILABLE verdict's cause.
 */
class LdapCompareSecretTest {

    private static final String PASSWORD = "Cl3ar-In-Compare!";

    /** Stops the directory while a Compare waits for its answer: the client's connection closes under it. */
    static final class DropOnCompare extends InMemoryOperationInterceptor {
        final AtomicReference<InMemoryLdap> server = new AtomicReference<>();

        @Override
        public void processCompareRequest(InMemoryInterceptedCompareRequest request) throws LDAPException {
            Thread stopper = new Thread(() -> server.get().pause(), "ldap-stopper");
            stopper.start();
            try {
                stopper.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new LDAPException(ResultCode.UNAVAILABLE, "stopped");
        }
    }

    private InMemoryLdap ldap;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger pack = (Logger) LoggerFactory.getLogger("org.jamespack");
    private Level before;

    @BeforeEach
    void start() {
        DropOnCompare drop = new DropOnCompare();
        ldap = InMemoryLdap.start(drop);
        drop.server.set(ldap);
        ldap.addUser("alice", "alice@example.org", PASSWORD);
        before = pack.getLevel();
        pack.setLevel(Level.TRACE);
        logs.start();
        pack.addAppender(logs);
    }

    @AfterEach
    void stop() {
        pack.detachAppender(logs);
        pack.setLevel(before);
        ldap.close();
    }

    @Test
    void verifyShouldKeepThePasswordOutOfTheCauseAndLogsWhenTheConnectionDropsDuringACompare() {
        Verdict verdict;
        try (LdapVerifier v = LdapVerifier.create(ldap.settings().mode(LdapSettings.Mode.COMPARE_OPERATION).build())) {
            verdict = v.verify(LoginAttempt.of("alice", Secret.of(PASSWORD), Protocol.IMAP));
        }

        assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
        assertThat(verdict.cause()).isPresent();
        StringWriter trace = new StringWriter();
        verdict.cause().get().printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as("the cause survives, without the password").contains("compare").doesNotContain(PASSWORD);
        assertThat(verdict.toString()).doesNotContain(PASSWORD);
        for (ILoggingEvent e : logs.list) {
            String text = e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            assertThat(text).doesNotContain(PASSWORD);
        }
    }
}
