package org.jamespack.auth.james;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.junit.jupiter.api.Test;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.BackendFactories;
import org.jamespack.auth.pack.FixedVerifier;

class AuthPackMetricsTest {

    private final BackendFactories factories = BackendFactories.standard().withBackend("fixed", FixedVerifier::fromConfig);

    private AuthPack load(String xml) {
        return AuthPack.load(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "conf/usersrepository.xml", factories);
    }

    @Test
    void verifyShouldCountVerdictsAndTimeTheBackendWhenMetricsArePluggedIn() {
        AuthPack pack = load("<usersrepository><authpack><fixed name=\"corp dir\"/></authpack></usersrepository>");
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        pack.verify(LoginAttempt.of("alice@example.org", Secret.of("a"), Protocol.SMTP));
        // before Guice plugs the metrics in, nothing is counted and nothing fails
        assertThat(metrics.countForPrefixName("jamespack.")).isEmpty();

        new AuthPackMetrics(pack, metrics);
        Verdict v = pack.verify(LoginAttempt.of("alice@example.org", Secret.of("a"), Protocol.SMTP));
        pack.verify(LoginAttempt.of("alice@example.org", Secret.of("a"), Protocol.IMAP));

        String state = v.state().name().toLowerCase(java.util.Locale.ROOT);
        assertThat(metrics.countFor("jamespack.auth.backend.corp_dir." + state)).isEqualTo(2);
        assertThat(metrics.countFor("jamespack.auth.decision." + state)).isEqualTo(2);
        assertThat(metrics.executionTimesFor("jamespack.auth.backend.corp_dir.latency")).hasSize(2);
    }

    @Test
    void decisionShouldBeCountedWhenMadeWithoutTheBackend() {
        AuthPack pack = load("<usersrepository><authpack><fixed name=\"corp\"/></authpack></usersrepository>");
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        new AuthPackMetrics(pack, metrics);

        pack.audit(LoginAttempt.of("nobody@example.org", Secret.of("a"), Protocol.IMAP), Verdict.rejected(), 0);

        assertThat(metrics.countFor("jamespack.auth.decision.rejected")).isEqualTo(1);
        assertThat(metrics.countForPrefixName("jamespack.auth.backend.")).isEmpty();
    }

    @Test
    void decisionShouldCountTheMailHostWhenTheMailboxIsElsewhere() {
        AuthPack pack = load("<usersrepository><authpack><fixed name=\"corp\"/></authpack></usersrepository>");
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        new AuthPackMetrics(pack, metrics);
        LoginAttempt dave = LoginAttempt.of("dave@example.org", Secret.of("a"), Protocol.IMAP);

        pack.audit(dave, Verdict.accepted().withMailHost("mail2.example.org"), 0);
        pack.audit(dave, Verdict.accepted(), 0);

        assertThat(metrics.countFor("jamespack.auth.mailhost.mail2.example.org")).isEqualTo(1);
        assertThat(metrics.countForPrefixName("jamespack.auth.mailhost.")).hasSize(1);
        assertThat(metrics.countFor("jamespack.auth.decision.accepted")).isEqualTo(2);
    }

    @Test
    void documentationShouldListEveryMetricName() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/java/org/jamespack/auth/james/AuthPackMetrics.java"));
        assertThat(doc).contains("{@code " + AuthPackMetrics.BACKEND + "BACKEND.STATE}",
            "{@code " + AuthPackMetrics.BACKEND + "BACKEND" + AuthPackMetrics.LATENCY + "}",
            "{@code " + AuthPackMetrics.DECISION + "STATE}", "{@code " + AuthPackMetrics.MAIL_HOST + "HOST}");
    }
}
