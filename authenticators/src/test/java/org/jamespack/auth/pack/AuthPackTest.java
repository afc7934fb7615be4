package org.jamespack.auth.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.cache.CacheStats;
import org.jamespack.auth.throttle.Judgement;
import org.jamespack.auth.throttle.ThrottlingVerifier;
import org.jamespack.foundation.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class AuthPackTest {

    /** A backend that cannot list users, as Kopano. */
    static final class PasswordOnlyBackend implements CredentialVerifier {
        @Override
        public Verdict verify(LoginAttempt attempt) {
            return Verdict.accepted();
        }

        @Override
        public String name() {
            return "po";
        }
    }

    private final BackendFactories factories = BackendFactories.standard()
        .withBackend("fixed", FixedVerifier::fromConfig)
        .withBackend("po", node -> new PasswordOnlyBackend());
    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

    @BeforeEach
    void captureAudit() {
        audit.start();
        ((Logger) LoggerFactory.getLogger(AuthPack.AUDIT_LOGGER)).addAppender(audit);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(AuthPack.AUDIT_LOGGER)).detachAppender(audit);
    }

    private AuthPack load(String xml) {
        return AuthPack.load(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "conf/usersrepository.xml", factories);
    }

    @Test
    void loadShouldBuildDirectoryModeWhenOneListingBackend() {
        AuthPack pack = load("<usersrepository name=\"LocalUsers\">\n"
            + "  <administratorId>admin@example.org</administratorId>\n"
            + "  <authpack mode=\"directory\">\n"
            + "    <fixed name=\"corp\" who=\"alice@example.org\"/>\n"
            + "  </authpack>\n"
            + "</usersrepository>");
        assertThat(pack.mode()).isEqualTo(PackMode.DIRECTORY);
        assertThat(pack.verifier().name()).isEqualTo("corp");
        assertThat(pack.directory()).isPresent();
        assertThat(pack.virtualHosting()).isTrue();
        assertThat(pack.administrators()).containsExactly("admin@example.org");
        assertThat(pack.origin()).isEqualTo("conf/usersrepository.xml:3");
    }

    @Test
    void loadShouldListEveryProblemWithFileAndLineWhenSeveralAreWrong() {
        assertThatThrownBy(() -> load("<usersrepository>\n"
            + "  <authpack mode=\"dirctory\" typo=\"x\">\n"
            + "    <fixed control=\"sufficent\"/>\n"
            + "    <ldpa/>\n"
            + "  </authpack>\n"
            + "</usersrepository>"))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                "conf/usersrepository.xml:2: usersrepository/authpack/mode: 'dirctory' is not one of " + PackMode.BY_CONFIG_NAME.keySet(),
                "conf/usersrepository.xml:4: usersrepository/authpack/ldpa: unknown backend (expected one of "
                    + factories.backendNames() + ", or cache, throttle)",
                "conf/usersrepository.xml:3: usersrepository/authpack/fixed/control: 'sufficent' is not one of " + Chains.CONTROLS,
                "conf/usersrepository.xml:2: usersrepository/authpack/typo: unknown setting (a typo?)"));
    }

    @Test
    void loadShouldChainBackendsInOrderWhenSeveral() {
        AuthPack pack = load("<usersrepository><authpack mode=\"password-only\">"
            + "<po name=\"first\" control=\"optional\"/><fixed name=\"second\" control=\"sufficient\"/>"
            + "</authpack></usersrepository>");
        assertThat(pack.verifier()).isInstanceOf(org.jamespack.auth.chain.VerifierChain.class);
        Verdict v = pack.verify(LoginAttempt.of("alice@example.org", Secret.of("pw"), Protocol.SMTP));
        assertThat(v.isAccepted()).isTrue();
        // sufficient success ends the chain; the chain names the member that decided
        assertThat(v.detail()).startsWith("second");
    }

    @Test
    void loadShouldTakeTheFirstListingBackendAsDirectoryWhenChained() {
        AuthPack pack = load("<usersrepository><authpack mode=\"directory\">"
            + "<po control=\"sufficient\"/><fixed who=\"listed@example.org\"/>"
            + "</authpack></usersrepository>");
        assertThat(pack.directory()).isPresent();
    }

    @Test
    void loadShouldWrapCacheInsideThrottleWhateverTheOrderWritten() {
        AuthPack pack = load("<usersrepository><authpack>"
            + "<throttle failureDelay=\"0\"/><fixed/><cache/>"
            + "</authpack></usersrepository>");
        assertThat(pack.verifier()).isInstanceOf(org.jamespack.auth.throttle.ThrottlingVerifier.class);
        assertThat(pack.verify(LoginAttempt.of("alice@example.org", Secret.of("pw"), Protocol.SMTP)).isAccepted()).isTrue();
        pack.close();
    }

    @Test
    void loadShouldReportWrapperGivenTwice() {
        assertThatThrownBy(() -> load("<usersrepository><authpack><fixed/><cache/>\n<cache/></authpack></usersrepository>"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("conf/usersrepository.xml:2")
            .hasMessageContaining("given more than once");
    }

    @Test
    void loadShouldRefuseDirectoryModeWhenNoBackendListsUsers() {
        assertThatThrownBy(() -> load("<usersrepository><authpack mode=\"directory\"><po/></authpack></usersrepository>"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("usersrepository/authpack/mode: directory mode needs a backend that can list users")
            .hasMessageContaining("password-only");
    }

    @Test
    void loadShouldAcceptPasswordOnlyModeWhenBackendCannotList() {
        AuthPack pack = load("<usersrepository><authpack mode=\"password-only\"><po/></authpack></usersrepository>");
        assertThat(pack.mode()).isEqualTo(PackMode.PASSWORD_ONLY);
        assertThat(pack.directory()).isEmpty();
    }

    @Test
    void loadShouldFailWhenNoAuthpackElement() {
        assertThatThrownBy(() -> load("<usersrepository name=\"x\">\n<enableVirtualHosting>true</enableVirtualHosting>\n</usersrepository>"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("conf/usersrepository.xml:1")
            .hasMessageContaining("no <authpack> element");
    }

    @Test
    void loadShouldFailWhenNoBackend() {
        assertThatThrownBy(() -> load("<usersrepository><authpack/></usersrepository>"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("at least one backend is required");
    }

    @Test
    void verifyShouldAuditEachLoginWithoutThePassword() {
        AuthPack pack = load("<usersrepository><authpack><fixed name=\"corp\"/></authpack></usersrepository>");
        pack.verify(LoginAttempt.of("alice@example.org", Secret.of("alice-secret-Z9"), Protocol.IMAP));
        assertThat(audit.list).hasSize(1);
        String line = audit.list.get(0).getFormattedMessage();
        assertThat(line).contains("login=alice@example.org", "protocol=imap", "backend=corp", "verdict=ACCEPTED", "reason=OK")
            .doesNotContain("alice-secret-Z9");
    }

    @Test
    void verifyShouldAuditUnavailableAtWarnWithCause() {
        FixedVerifier backend = new FixedVerifier("x");
        backend.answer = Verdict.unavailable(Verdict.Reason.TIMEOUT, "5s", new java.net.SocketTimeoutException("read timed out"));
        AuthPack pack = load("<usersrepository><authpack><fixed/></authpack></usersrepository>");
        AuthPack withBackend = AuthPack.load(new ByteArrayInputStream(
                "<usersrepository><authpack><t/></authpack></usersrepository>".getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("t", n -> backend));
        Verdict v = withBackend.verify(LoginAttempt.of("bob", Secret.of("pw-Q7"), Protocol.SMTP));
        assertThat(v.state()).isEqualTo(Verdict.State.UNAVAILABLE);
        ILoggingEvent event = audit.list.get(0);
        assertThat(event.getLevel().toString()).isEqualTo("WARN");
        assertThat(event.getFormattedMessage()).contains("verdict=UNAVAILABLE", "reason=TIMEOUT", "SocketTimeoutException: read timed out")
            .doesNotContain("pw-Q7");
        pack.close();
    }

    @Test
    void verifyShouldAnswerUnavailableWhenVerifierThrows() {
        AuthPack pack = AuthPack.load(new ByteArrayInputStream(
                "<usersrepository><authpack mode=\"password-only\"><t/></authpack></usersrepository>".getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("t", n -> new CredentialVerifier() {
                @Override
                public Verdict verify(LoginAttempt attempt) {
                    throw new IllegalStateException("bug");
                }

                @Override
                public String name() {
                    return "broken";
                }
            }));
        assertThat(pack.verify(LoginAttempt.of("bob", Secret.of("pw"), Protocol.SMTP)).state()).isEqualTo(Verdict.State.UNAVAILABLE);
    }

    @Test
    void auditShouldWriteOneEscapedLineWhenTheLoginHoldsLineBreaksAndTerminalEscapes() {
        AuthPack pack = load("<usersrepository name=\"LocalUsers\">\n"
            + "  <authpack mode=\"password-only\"><po/></authpack>\n"
            + "</usersrepository>");
        String forged = "bob\r\n2026-01-01 INFO org.jamespack.auth.audit - login=admin verdict=ACCEPTED\u001b[2J\0";

        pack.audit(LoginAttempt.of(forged, Secret.of("pw"), Protocol.SMTP), Verdict.rejected(), 0);

        assertThat(audit.list).hasSize(1);
        String line = audit.list.get(0).getFormattedMessage();
        assertThat(line).doesNotContain("\r", "\n", "\u001b", "\0")
            .startsWith("login=bob\\x0d\\x0a2026-01-01 INFO org.jamespack.auth.audit - login=admin verdict=ACCEPTED\\x1b[2J\\x00 ")
            .contains("verdict=REJECTED");
    }

    @Test
    void verifyShouldRefuseAnEmptyPasswordBeforeTheCacheAndEveryMemberWhenChained() {
        FixedVerifier a = new FixedVerifier("a");
        FixedVerifier b = new FixedVerifier("b");
        AuthPack pack = AuthPack.load(new ByteArrayInputStream(("<usersrepository><authpack mode=\"password-only\">"
                + "<a control=\"sufficient\"/><b/><cache/></authpack></usersrepository>").getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("a", n -> a).withBackend("b", n -> b));

        Verdict v = pack.verify(LoginAttempt.of("alice", Secret.of(""), Protocol.IMAP));

        assertThat(v.reason()).isEqualTo(Verdict.Reason.MALFORMED_INPUT);
        assertThat(a.seen).isEmpty();
        assertThat(b.seen).isEmpty();
        assertThat(pack.cache().orElseThrow().stats()).isEqualTo(new CacheStats(0, 0, 0, 0));
        assertThat(audit.list).hasSize(1);
        pack.close();
    }

    @Test
    void judgeShouldLetTheThrottleCountAndDelayRefusedInputWithoutAskingTheBackend() throws Exception {
        FixedVerifier backend = new FixedVerifier("x");
        AuthPack pack = AuthPack.load(new ByteArrayInputStream(
                "<usersrepository><authpack><t/><cache/><throttle failureDelay=\"1s\"/></authpack></usersrepository>"
                    .getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("t", n -> backend));
        InetAddress attacker = InetAddress.getByName("192.0.2.9");

        Judgement j = pack.judge(LoginAttempt.of("alice", Secret.of("pw\0x"), Protocol.SMTP).withClient(attacker));

        assertThat(j.verdict().reason()).isEqualTo(Verdict.Reason.MALFORMED_INPUT);
        assertThat(j.delay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(backend.seen).isEmpty();
        assertThat(((ThrottlingVerifier) pack.verifier()).failuresOf(attacker, "alice")).isEqualTo(1);
        pack.close();
    }

    @Test
    void cacheInvalidationShouldReachTheBackendWhenItIsTheOnlyOne() {
        FixedVerifier backend = new FixedVerifier("alice");
        AuthPack pack = AuthPack.load(new ByteArrayInputStream(
                "<usersrepository><authpack><t/><cache/></authpack></usersrepository>".getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("t", n -> backend));

        pack.cache().orElseThrow().invalidate("ALICE");

        // what the backend remembers of the user (an LDAP login-to-DN mapping) goes with the cached verdicts
        assertThat(backend.forgotten).contains("ALICE");
        pack.close();
    }

    @Test
    void closeShouldCloseTheBackend() {
        FixedVerifier backend = new FixedVerifier("x");
        AuthPack pack = AuthPack.load(new ByteArrayInputStream(
                "<usersrepository><authpack><t/></authpack></usersrepository>".getBytes(StandardCharsets.UTF_8)), "f",
            BackendFactories.standard().withBackend("t", n -> backend));
        pack.close();
        assertThat(backend.closed).isTrue();
        assertThat(List.of(backend.seen)).hasSize(1);
    }
}
