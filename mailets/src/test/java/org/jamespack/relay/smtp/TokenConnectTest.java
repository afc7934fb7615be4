package org.jamespack.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.route.Mechanism;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.SendingLimits;
import org.jamespack.relay.route.TlsMode;
import org.jamespack.relay.smtp.FailureClassifier.Phase;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.junit.jupiter.api.Test;

/** The one refresh-on-stale-token rule, shared by the delivery and {@code token test}. */
class TokenConnectTest {

    private static final Route ROUTE = new Route("a.example", "smtp.a.example", 587, TlsMode.STARTTLS, Optional.empty(),
        Optional.of("relay@a.example"), Optional.of("tenant-a"), Optional.empty(), Optional.of(Mechanism.XOAUTH2),
        SendingLimits.UNLIMITED, "test");

    /** Hands out token-1, token-2, … and counts forced refreshes. */
    private static final class Counting implements TokenSource {
        int calls;
        int forced;

        @Override
        public TokenOutcome token(boolean forceRefresh) {
            calls++;
            forced += forceRefresh ? 1 : 0;
            return new TokenOutcome.Token(Secret.of("token-" + calls), Instant.now().plusSeconds(3600));
        }

        @Override
        public String account() {
            return "relay@a.example";
        }
    }

    private static TokenConnect.Lease refused(Phase phase, String reply) {
        return new TokenConnect.Lease.Refused(new SmtpFailure(phase, SmtpReply.parse(reply), false, reply));
    }

    @Test
    void connectShouldRefreshOnceAndConnectWhenAuthIsRefusedAsStale() {
        Counting source = new Counting();
        List<String> tried = new ArrayList<>();
        TokenConnect.Result result = TokenConnect.connect(ROUTE, Optional.of(source), (as, credential) -> {
            tried.add(credential.orElseThrow().reveal());
            return tried.size() == 1 ? refused(Phase.AUTH, "535 5.7.3 Authentication unsuccessful")
                : new TokenConnect.Lease.Open(null);
        }, new TokenConnect.Steps() { });

        assertThat(result).isInstanceOf(TokenConnect.Connected.class);
        assertThat(tried).containsExactly("token-1", "token-2");
        assertThat(source.forced).isEqualTo(1);
    }

    @Test
    void connectShouldCallASecondRefusalCredentialBrokenWithoutAThirdTry() {
        Counting source = new Counting();
        List<String> tried = new ArrayList<>();
        TokenConnect.Result result = TokenConnect.connect(ROUTE, Optional.of(source), (as, credential) -> {
            tried.add(credential.orElseThrow().reveal());
            return refused(Phase.AUTH, "535 5.7.3 Authentication unsuccessful");
        }, new TokenConnect.Steps() { });

        assertThat(result).isInstanceOfSatisfying(TokenConnect.Failed.class,
            f -> assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_BROKEN));
        assertThat(tried).hasSize(2);
    }

    @Test
    void connectShouldNotRefreshWhenANewTokenCannotHelp() {
        for (String reply : List.of("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled",
            "535 5.5.124 invalid auth data", "454 4.7.0 try later")) {
            Counting source = new Counting();
            TokenConnect.Result result = TokenConnect.connect(ROUTE, Optional.of(source), (as, credential) -> refused(Phase.AUTH, reply),
                new TokenConnect.Steps() {
                    @Override
                    public void refreshing(SmtpFailure refusal) {
                        throw new AssertionError("refreshed for " + reply);
                    }
                });

            assertThat(result).as(reply).isInstanceOf(TokenConnect.Failed.class);
            assertThat(source.forced).as(reply).isZero();
        }
    }

    @Test
    void connectShouldReportATokenSourceThatThrowsAsATransientFailure() {
        TokenSource broken = new TokenSource() {
            @Override
            public TokenOutcome token(boolean forceRefresh) {
                throw new IllegalStateException("bug");
            }

            @Override
            public String account() {
                return "relay@a.example";
            }
        };
        TokenConnect.Result result = TokenConnect.connect(ROUTE, Optional.of(broken), (as, credential) -> {
            throw new AssertionError("no connection without a token");
        }, new TokenConnect.Steps() { });

        assertThat(result).isInstanceOfSatisfying(TokenConnect.NoToken.class, n -> {
            assertThat(n.failure().kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(n.afterRefusal()).isFalse();
        });
    }

    @Test
    void connectShouldPassBusyOn() {
        TokenConnect.Result result = TokenConnect.connect(ROUTE, Optional.of(new Counting()),
            (as, credential) -> new TokenConnect.Lease.Busy(), new TokenConnect.Steps() { });

        assertThat(result).isInstanceOf(TokenConnect.Busy.class);
    }
}
