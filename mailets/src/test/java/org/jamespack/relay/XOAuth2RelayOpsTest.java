package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.foundation.Secret;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.ops.RelayRegistry;
import org.jamespack.relay.ops.RouteHealth;
import org.jamespack.relay.ops.RouteReport;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.relay.token.TokenStatus;
import org.junit.jupiter.api.Test;

/** The mailet's operations side without James: registration, route reports, the operator's reset. */
class XOAuth2RelayOpsTest {

    /** A source that is broken until reset, then serves a token valid for an hour. */
    static final class BreakableSource implements TokenSource {
        volatile boolean broken = true;
        final AtomicInteger resets = new AtomicInteger();

        @Override
        public TokenOutcome token(boolean forceRefresh) {
            return broken ? new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, "invalid_grant")
                : new TokenOutcome.Token(Secret.of("never-shown-token"), Instant.now().plusSeconds(3600));
        }

        @Override
        public String account() {
            return "relay@a.example";
        }

        @Override
        public TokenStatus status() {
            return new TokenStatus(account(), "test source", broken ? Optional.empty() : Optional.of(Instant.now().plusSeconds(3600)),
                Optional.empty(), broken ? Optional.of(TokenOutcome.Kind.CREDENTIAL_BROKEN) : Optional.empty(),
                broken ? Optional.of("invalid_grant") : Optional.empty(), broken, Optional.empty(), 1);
        }

        @Override
        public void reset() {
            resets.incrementAndGet();
            broken = false;
        }
    }

    @Test
    void relayShouldRegisterReportAndResetWhenInitialised() throws Exception {
        BreakableSource source = new BreakableSource();
        TokenSources tokens = route -> Optional.of(source);
        RelayRegistry registry = new RelayRegistry();
        XOAuth2Relay relay = new XOAuth2Relay(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), Optional.of(tokens),
            Clock.systemUTC(), false, RelayMetrics.NONE, registry);
        relay.init(FakeMailetConfig.builder().mailetName("relay").mailetContext(FakeMailContext.defaultContext())
            .setProperty("routes", "a.example: host=smtp.a.example::587 user=relay@a.example oauth=tenant-a\n"
                + "b.example: host=smtp.b.example::587 user=relay@b.example password=hunter2-secret\n")
            .build());
        try {
            assertThat(registry.relays()).containsExactly(relay.view());
            List<RouteReport> reports = relay.view().routeReports(true);
            assertThat(reports).extracting(RouteReport::senderKey).containsExactly("a.example", "b.example");
            RouteReport a = reports.get(0);
            assertThat(a.health().state()).isEqualTo(RouteHealth.State.UNHEALTHY);
            assertThat(a.health().reason()).isEqualTo("credential broken: invalid_grant — diagnosis: [invalid_grant] The refresh"
                + " token is no longer valid (expired, revoked, or issued to another client or tenant). Run 'token init' again to"
                + " get a new one.");
            assertThat(a.diagnosis()).containsExactly("[invalid_grant] The refresh token is no longer valid (expired, revoked, or"
                + " issued to another client or tenant). Run 'token init' again to get a new one.");
            assertThat(reports.get(1).diagnosis()).isEmpty();
            assertThat(a.credential()).isEqualTo("oauth=tenant-a");
            assertThat(a.queued()).hasValue(0);
            assertThat(reports.get(1).credential()).isEqualTo("password");
            assertThat(reports.get(1).health().state()).isEqualTo(RouteHealth.State.HEALTHY);
            assertThat(reports.toString()).doesNotContain("hunter2-secret").doesNotContain("never-shown-token");

            assertThat(relay.view().resetAccount("nobody@a.example")).isZero();
            assertThat(relay.view().resetAccount("RELAY@a.example")).isEqualTo(1);
            assertThat(source.resets).hasValue(1);
            assertThat(relay.view().routeReports(false).get(0).health().state()).isEqualTo(RouteHealth.State.HEALTHY);
            assertThat(relay.view().routeReports(false).get(0).queued()).isEmpty();
        } finally {
            relay.destroy();
        }
        assertThat(registry.relays()).isEmpty();
    }
}
