package org.jamespack.auth.james;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Supplier;

import org.apache.james.imap.fake.FakeImapProcessor;
import org.jamespack.auth.Protocol;
import org.junit.jupiter.api.Test;

class CallerProtocolTest {

    @Test
    void classifyShouldNameJamesProtocolServers() {
        assertThat(CallerProtocol.classify("org.apache.james.imap.processor.LoginProcessor")).contains(Protocol.IMAP);
        assertThat(CallerProtocol.classify("org.apache.james.pop3server.core.PassCmdHandler")).contains(Protocol.POP3);
        assertThat(CallerProtocol.classify("org.apache.james.protocols.pop3.core.AbstractPassCmdHandler")).contains(Protocol.POP3);
        assertThat(CallerProtocol.classify("org.apache.james.smtpserver.UsersRepositoryAuthHook")).contains(Protocol.SMTP);
        assertThat(CallerProtocol.classify("org.apache.james.jmap.http.BasicAuthenticationStrategy")).contains(Protocol.JMAP);
        assertThat(CallerProtocol.classify("org.apache.james.webadmin.authentication.JwtFilter")).contains(Protocol.WEBADMIN);
        assertThat(CallerProtocol.classify("org.apache.james.mailbox.store.StoreMailboxManager")).isEmpty();
        assertThat(CallerProtocol.classify("com.example.imap.Thing")).isEmpty();
    }

    @Test
    void detectShouldAnswerOtherWhenNoJamesFrameIsOnTheStack() {
        assertThat(CallerProtocol.detect()).isEqualTo(Protocol.OTHER);
    }

    @Test
    void detectShouldFindImapWhenAnImapFrameIsBelow() {
        assertThat(FakeImapProcessor.login(3, () -> deep(10, CallerProtocol::detect))).isEqualTo(Protocol.IMAP);
    }

    /**
     * Not a pass/fail benchmark: prints what one detection costs, for the README. Typical: the
     * IMAP frame 15 frames up and 60 more below it (as in James' Netty stack; the walk stops at the
     * match); worst: 80 frames and no match.
     */
    @Test
    void detectShouldCostMicrosecondsWhenStackIsDeep() {
        Supplier<Protocol> typical = () -> deep(60, () -> FakeImapProcessor.login(3, () -> deep(12, CallerProtocol::detect)));
        Supplier<Protocol> worst = () -> deep(80, CallerProtocol::detect);
        double typicalMicros = measure(typical);
        double worstMicros = measure(worst);
        System.out.printf("CallerProtocol.detect(): %.2f µs with an IMAP frame 15 frames up, %.2f µs walking 80 frames without one%n",
            typicalMicros, worstMicros);
        assertThat(typical.get()).isEqualTo(Protocol.IMAP);
        assertThat(worstMicros).isLessThan(5_000);
    }

    private static double measure(Supplier<Protocol> call) {
        for (int i = 0; i < 20_000; i++) {
            call.get();
        }
        int n = 50_000;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            call.get();
        }
        return (System.nanoTime() - start) / 1000.0 / n;
    }

    private static Protocol deep(int depth, Supplier<Protocol> then) {
        return depth == 0 ? then.get() : deep(depth - 1, then);
    }
}
