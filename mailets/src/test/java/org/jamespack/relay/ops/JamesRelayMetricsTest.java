package org.jamespack.relay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenStatus;
import org.junit.jupiter.api.Test;

class JamesRelayMetricsTest {

    private final RecordingMetricFactory factory = new RecordingMetricFactory();
    private final JamesRelayMetrics metrics = new JamesRelayMetrics(factory);

    static TokenStatus status(long calls, boolean failed) {
        return new TokenStatus("alice@example.org", "tokenSource m365", Optional.empty(), Optional.empty(),
            failed ? Optional.of(TokenOutcome.Kind.TRANSIENT) : Optional.empty(), failed ? Optional.of("HTTP 503") : Optional.empty(),
            false, Optional.empty(), calls);
    }

    @Test
    void tokenObservedShouldCountEachEndpointCallOnceWhenSeenSeveralTimes() {
        metrics.tokenObserved(status(1, false));
        metrics.tokenObserved(status(1, false));
        metrics.tokenObserved(status(3, true));
        metrics.tokenObserved(status(2, true));

        assertThat(factory.countFor("jamespack.token.refreshes.alice@example.org")).isEqualTo(3);
        assertThat(factory.countFor("jamespack.token.failures.alice@example.org")).isEqualTo(2);
    }

    @Test
    void deliveryCountersShouldBeNamedByRoute() {
        metrics.sent("example.org");
        metrics.deferred("*");
        metrics.bounced("Alice Smith@example.org");

        assertThat(factory.countFor("jamespack.relay.sent.example.org")).isEqualTo(1);
        assertThat(factory.countFor("jamespack.relay.deferred.default")).isEqualTo(1);
        assertThat(factory.countFor("jamespack.relay.bounced.alice_smith@example.org")).isEqualTo(1);
    }

    @Test
    void packageDocumentationShouldListEveryMetricName() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/java/org/jamespack/relay/ops/package-info.java"));
        for (String route : java.util.List.of(JamesRelayMetrics.SENT, JamesRelayMetrics.DEFERRED, JamesRelayMetrics.BOUNCED)) {
            assertThat(doc).contains("{@code " + route + "ROUTE}");
        }
        for (String account : java.util.List.of(JamesRelayMetrics.TOKEN_REFRESHES, JamesRelayMetrics.TOKEN_FAILURES)) {
            assertThat(doc).contains("{@code " + account + "ACCOUNT}");
        }
    }
}
