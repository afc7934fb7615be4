package org.jamespack.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.EnumSet;
import java.util.function.BiFunction;

import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VerdictTest {

    private static BiFunction<Reason, String, Verdict> factory(State state) {
        switch (state) {
            case ACCEPTED: return Verdict::accepted;
            case REJECTED: return Verdict::rejected;
            case DISABLED: return Verdict::disabled;
            default: return Verdict::unavailable;
        }
    }

    @ParameterizedTest
    @EnumSource(Reason.class)
    void factoryShouldAcceptOnlyItsOwnStateWhenGivenEveryReason(Reason reason) {
        for (State state : State.values()) {
            BiFunction<Reason, String, Verdict> make = factory(state);
            if (reason.state() == state) {
                Verdict v = make.apply(reason, "d");
                assertThat(v.state()).isEqualTo(state);
                assertThat(v.reason()).isEqualTo(reason);
            } else {
                assertThatThrownBy(() -> make.apply(reason, "d"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(reason.name());
            }
        }
    }

    @Test
    void everyStateShouldHaveAtLeastOneReasonWhenTheEnumIsComplete() {
        EnumSet<State> covered = EnumSet.noneOf(State.class);
        for (Reason r : Reason.values()) {
            covered.add(r.state());
        }
        assertThat(covered).containsExactlyInAnyOrder(State.values());
    }

    @Test
    void unavailableWithCauseShouldRefuseOtherStatesWhenMisused() {
        assertThatThrownBy(() -> Verdict.unavailable(Reason.INVALID_CREDENTIALS, "x", new IOException()))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Verdict.unavailable(Reason.TIMEOUT, "x", null))
            .isInstanceOf(NullPointerException.class);
    }

    @Test
    void causeShouldBePresentOnlyWhenUnavailableWithCause() {
        IOException cause = new IOException("connection refused");
        assertThat(Verdict.unavailable(Reason.CONNECT_FAILED, "ldap", cause).cause()).containsSame(cause);
        assertThat(Verdict.unavailable(Reason.CONNECT_FAILED, "ldap").cause()).isEmpty();
        assertThat(Verdict.accepted().cause()).isEmpty();
        assertThat(Verdict.rejected().cause()).isEmpty();
    }

    @Test
    void shortFactoriesShouldGiveOkAndInvalidCredentialsWhenCalledWithoutArguments() {
        assertThat(Verdict.accepted().reason()).isEqualTo(Reason.OK);
        assertThat(Verdict.accepted().isAccepted()).isTrue();
        assertThat(Verdict.rejected().reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
        assertThat(Verdict.rejected().isAccepted()).isFalse();
    }

    @Test
    void toStringShouldLeaveOutTheCauseMessageWhenItHoldsASecret() {
        String secret = "hunter2";
        Verdict v = Verdict.unavailable(Reason.SERVER_ERROR, "ldap://dir", new IOException("bind failed for password " + secret));

        assertThat(v.toString())
            .doesNotContain(secret)
            .contains("UNAVAILABLE", "SERVER_ERROR", "ldap://dir", "IOException");
    }

    @Test
    void toStringShouldNameStateAndReasonWhenDetailIsEmpty() {
        assertThat(Verdict.rejected().toString()).isEqualTo("REJECTED(INVALID_CREDENTIALS)");
    }

    @Test
    void withDetailPrefixShouldKeepReasonAndCauseWhenPrefixing() {
        IOException cause = new IOException();
        Verdict v = Verdict.unavailable(Reason.TIMEOUT, "5s", cause).withDetailPrefix("ldap");

        assertThat(v.detail()).isEqualTo("ldap: 5s");
        assertThat(v.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(v.cause()).containsSame(cause);
        assertThat(Verdict.rejected().withDetailPrefix("kopano").detail()).isEqualTo("kopano");
    }

    @Test
    void equalsShouldHoldWhenReasonAndDetailMatch() {
        assertThat(Verdict.rejected(Reason.INVALID_CREDENTIALS, "")).isEqualTo(Verdict.rejected());
        assertThat(Verdict.rejected(Reason.MALFORMED_INPUT, "a")).isNotEqualTo(Verdict.rejected(Reason.MALFORMED_INPUT, "b"));
        assertThat(Verdict.rejected(Reason.MALFORMED_INPUT, "a").hashCode())
            .isEqualTo(Verdict.rejected(Reason.MALFORMED_INPUT, "a").hashCode());
    }

    @Test
    void factoriesShouldRefuseNullWhenDetailIsMissing() {
        assertThatThrownBy(() -> Verdict.rejected(Reason.INVALID_CREDENTIALS, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Verdict.rejected(null, "")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void withMailHostShouldNameTheHostWhenAccepted() {
        Verdict v = Verdict.accepted(Reason.OK_GRACE_LOGIN, "uid=dave").withMailHost("Mail2.Example.org");

        assertThat(v.mailHost()).contains("mail2.example.org");
        assertThat(v.state()).isEqualTo(State.ACCEPTED);
        assertThat(v.reason()).isEqualTo(Reason.OK_GRACE_LOGIN);
        assertThat(v.detail()).isEqualTo("uid=dave");
        assertThat(v.toString()).isEqualTo("ACCEPTED(OK_GRACE_LOGIN, uid=dave, mailHost=mail2.example.org)");
        assertThat(Verdict.accepted().mailHost()).isEmpty();
    }

    @Test
    void withMailHostShouldRefuseWhenVerdictIsNotAccepted() {
        assertThatThrownBy(() -> Verdict.rejected().withMailHost("mail2.example.org")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Verdict.disabled(Reason.ACCOUNT_DISABLED, "").withMailHost("mail2.example.org"))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Verdict.unavailable(Reason.TIMEOUT, "").withMailHost("mail2.example.org"))
            .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "mail2 example.org", "mail2.example.org/", "a..b", "-a.org",
        "a-.org", "mail2.example.org.", "h\r\nA1 OK", "imap://x", "[::1]", "host:143", "ünï.example"})
    void withMailHostShouldRefuseWhenHostIsNotAHostName(String host) {
        assertThat(Verdict.isHostName(host)).isFalse();
        assertThatThrownBy(() -> Verdict.accepted().withMailHost(host)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isHostNameShouldAcceptDnsNamesAndIpv4WhenWellFormed() {
        assertThat(Verdict.isHostName("mail2")).isTrue();
        assertThat(Verdict.isHostName("mail-2.example.org")).isTrue();
        assertThat(Verdict.isHostName("192.0.2.7")).isTrue();
        assertThat(Verdict.isHostName("a".repeat(63) + ".org")).isTrue();
        assertThat(Verdict.isHostName("a".repeat(64) + ".org")).isFalse();
        assertThat(Verdict.isHostName(("a".repeat(62) + ".").repeat(4) + "org")).isFalse();
    }

    @Test
    void withDetailPrefixShouldKeepMailHostWhenPrefixing() {
        Verdict v = Verdict.accepted().withMailHost("mail2.example.org").withDetailPrefix("stale cache");

        assertThat(v.mailHost()).contains("mail2.example.org");
        assertThat(v.detail()).isEqualTo("stale cache");
    }

    @Test
    void equalsShouldTellVerdictsApartWhenOnlyMailHostDiffers() {
        Verdict here = Verdict.accepted();
        Verdict there = Verdict.accepted().withMailHost("mail2.example.org");

        assertThat(there).isNotEqualTo(here).isNotEqualTo(Verdict.accepted().withMailHost("mail3.example.org"));
        assertThat(there).isEqualTo(Verdict.accepted().withMailHost("MAIL2.example.org"));
        assertThat(there.hashCode()).isEqualTo(Verdict.accepted().withMailHost("mail2.example.org").hashCode());
    }
}
