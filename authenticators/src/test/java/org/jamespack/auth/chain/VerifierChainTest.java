package org.jamespack.auth.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.auth.chain.VerifierChain.Control;
import org.jamespack.auth.chain.VerifierChain.Member;
import org.junit.jupiter.api.Test;

/**
 * The chain's rules, with verifiers that answer a fixed verdict and count their calls (the
 * chain's own protocol is the verdict; the Kopano and LDAP verifiers are tested on their own).
 */
class VerifierChainTest {

    static final LoginAttempt ATTEMPT = LoginAttempt.of("alice", Secret.of("pw"), Protocol.SMTP);
    static final Verdict OK = Verdict.accepted();
    static final Verdict BAD = Verdict.rejected(Reason.INVALID_CREDENTIALS, "wrong");
    static final Verdict OFF = Verdict.disabled(Reason.FEATURE_DISABLED, "imap off");
    static final Verdict DOWN = Verdict.unavailable(Reason.CONNECT_FAILED, "refused");

    /** A verifier answering one verdict, counting calls and the passwords it was given. */
    static final class Fixed implements CredentialVerifier {
        final String name;
        final Verdict verdict;
        final AtomicInteger calls = new AtomicInteger();
        final List<String> seen = new ArrayList<>();
        boolean closed;

        Fixed(String name, Verdict verdict) {
            this.name = name;
            this.verdict = verdict;
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            calls.incrementAndGet();
            seen.add(attempt.login() + ":" + attempt.password().reveal());
            return verdict;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static Fixed v(String name, Verdict verdict) {
        return new Fixed(name, verdict);
    }

    static Verdict run(Object... pairs) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            members.add(new Member((CredentialVerifier) pairs[i + 1], (Control) pairs[i]));
        }
        return VerifierChain.of(members).verify(ATTEMPT);
    }

    @Test
    void parseShouldAcceptTheFourPamWordsInAnyCase() {
        assertThat(Control.parse("Sufficient")).isEqualTo(Control.SUFFICIENT);
        assertThat(Control.parse(" required ")).isEqualTo(Control.REQUIRED);
        assertThat(Control.parse("REQUISITE")).isEqualTo(Control.REQUISITE);
        assertThat(Control.parse("optional")).isEqualTo(Control.OPTIONAL);
        assertThatThrownBy(() -> Control.parse("include")).hasMessageContaining("sufficient");
    }

    @Test
    void ofShouldRefuseAnEmptyChain() {
        assertThatThrownBy(() -> VerifierChain.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void verifyShouldGiveEveryMemberTheSameLoginAndPassword() {
        Fixed a = v("a", BAD);
        Fixed b = v("b", OK);

        run(Control.SUFFICIENT, a, Control.REQUIRED, b);

        assertThat(a.seen).containsExactly("alice:pw");
        assertThat(b.seen).containsExactly("alice:pw");
    }

    @Test
    void verifyShouldAcceptAndStopWhenASufficientMemberAccepts() {
        Fixed later = v("ldap", BAD);

        Verdict r = run(Control.SUFFICIENT, v("kopano", OK), Control.REQUIRED, later);

        assertThat(r.state()).isEqualTo(State.ACCEPTED);
        assertThat(later.calls).hasValue(0);
    }

    @Test
    void verifyShouldIgnoreARejectingSufficientMemberAndAskTheNext() {
        assertThat(run(Control.SUFFICIENT, v("kopano", BAD), Control.REQUIRED, v("ldap", OK)).state())
            .isEqualTo(State.ACCEPTED);
        assertThat(run(Control.SUFFICIENT, v("kopano", BAD), Control.REQUIRED, v("ldap", BAD)).state())
            .isEqualTo(State.REJECTED);
    }

    @Test
    void verifyShouldNotLetASufficientSuccessOverrideAnEarlierRequiredFailure() {
        Fixed after = v("c", OK);

        Verdict r = run(Control.REQUIRED, v("a", BAD), Control.SUFFICIENT, v("b", OK), Control.REQUIRED, after);

        assertThat(r).isEqualTo(BAD.withDetailPrefix("a"));
        assertThat(after.calls).hasValue(0);
    }

    @Test
    void verifyShouldGoOnAfterARequiredFailureAndReportTheFirstFailure() {
        Fixed b = v("b", Verdict.rejected(Reason.AMBIGUOUS_LOGIN, "two"));

        Verdict r = run(Control.REQUIRED, v("a", BAD), Control.REQUIRED, b);

        assertThat(b.calls).hasValue(1);
        assertThat(r.reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
    }

    @Test
    void verifyShouldStopAtARequisiteFailure() {
        Fixed after = v("b", OK);

        Verdict r = run(Control.REQUISITE, v("a", BAD), Control.SUFFICIENT, after);

        assertThat(r.state()).isEqualTo(State.REJECTED);
        assertThat(after.calls).hasValue(0);
    }

    @Test
    void verifyShouldAcceptWhenAllRequiredMembersAccept() {
        assertThat(run(Control.REQUIRED, v("a", OK), Control.REQUISITE, v("b", OK)).state()).isEqualTo(State.ACCEPTED);
        assertThat(run(Control.REQUIRED, v("a", OK), Control.REQUIRED, v("b", BAD)).state()).isEqualTo(State.REJECTED);
    }

    @Test
    void verifyShouldCountAnOptionalSuccessOnlyWhenNothingElseDecides() {
        assertThat(run(Control.OPTIONAL, v("a", OK)).state()).isEqualTo(State.ACCEPTED);
        assertThat(run(Control.OPTIONAL, v("a", OK), Control.REQUIRED, v("b", BAD)).state()).isEqualTo(State.REJECTED);
        assertThat(run(Control.OPTIONAL, v("a", BAD), Control.REQUIRED, v("b", OK)).state()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void verifyShouldRejectAsNotDecidedWhenNoMemberSucceeds() {
        Verdict r = run(Control.OPTIONAL, v("a", BAD), Control.SUFFICIENT, v("b", BAD));

        assertThat(r.reason()).isEqualTo(Reason.NOT_DECIDED);
    }

    @Test
    void verifyShouldNotTurnAnOutageIntoAWrongPasswordWhenNothingAccepted() {
        Verdict r = run(Control.SUFFICIENT, v("kopano", DOWN), Control.REQUIRED, v("ldap", BAD));

        assertThat(r.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(r.detail()).startsWith("kopano");
    }

    @Test
    void verifyShouldAcceptThroughALaterMemberWhileAnEarlierOneIsDown() {
        assertThat(run(Control.SUFFICIENT, v("kopano", DOWN), Control.REQUIRED, v("ldap", OK)).state())
            .isEqualTo(State.ACCEPTED);
        assertThat(run(Control.SUFFICIENT, v("kopano", DOWN), Control.SUFFICIENT, v("ldap", OK)).state())
            .isEqualTo(State.ACCEPTED);
    }

    @Test
    void verifyShouldBeUnavailableWhenAnOutageMemberPrecedesARequisiteRejection() {
        assertThat(run(Control.OPTIONAL, v("kopano", DOWN), Control.REQUISITE, v("ldap", BAD)).state())
            .isEqualTo(State.UNAVAILABLE);
    }

    @Test
    void verifyShouldIgnoreAnOutageThatCouldNoLongerChangeTheResult() {
        Verdict r = run(Control.REQUIRED, v("ldap", BAD), Control.SUFFICIENT, v("kopano", DOWN));

        assertThat(r.state()).isEqualTo(State.REJECTED);
    }

    @Test
    void verifyShouldBeUnavailableWhenARequiredMemberIsDown() {
        assertThat(run(Control.REQUIRED, v("a", DOWN), Control.REQUIRED, v("b", OK)).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(run(Control.REQUIRED, v("a", DOWN)).state()).isEqualTo(State.UNAVAILABLE);
    }

    @Test
    void verifyShouldStopAtDisabledWhateverTheControlWord() {
        for (Control c : Control.values()) {
            Fixed later = v("ldap", OK);
            Verdict r = run(c, v("kopano", OFF), Control.SUFFICIENT, later);
            assertThat(r.state()).as(c.word()).isEqualTo(State.DISABLED);
            assertThat(r.reason()).isEqualTo(Reason.FEATURE_DISABLED);
            assertThat(later.calls).as(c.word()).hasValue(0);
        }
    }

    @Test
    void verifyShouldKeepAnEarlierRequiredFailureOverALaterDisabled() {
        assertThat(run(Control.REQUIRED, v("a", BAD), Control.SUFFICIENT, v("b", OFF)).reason())
            .isEqualTo(Reason.INVALID_CREDENTIALS);
    }

    @Test
    void verifyShouldTakeAThrowingMemberAsUnavailable() {
        CredentialVerifier broken = new CredentialVerifier() {
            @Override
            public Verdict verify(LoginAttempt attempt) {
                throw new IllegalStateException("bug");
            }

            @Override
            public String name() {
                return "broken";
            }
        };

        Verdict r = run(Control.SUFFICIENT, broken, Control.REQUIRED, v("ldap", BAD));

        assertThat(r.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(r.cause()).containsInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeShouldCloseEveryMember() {
        Fixed a = v("a", OK);
        Fixed b = v("b", OK);

        VerifierChain.of(List.of(new Member(a, Control.SUFFICIENT), new Member(b, Control.REQUIRED))).close();

        assertThat(a.closed).isTrue();
        assertThat(b.closed).isTrue();
    }

    @Test
    void nameShouldListControlWordsAndMembers() {
        assertThat(VerifierChain.of(List.of(new Member(v("kopano", OK), Control.SUFFICIENT),
            new Member(v("ldap", OK), Control.REQUIRED))).name()).isEqualTo("chain(sufficient kopano,required ldap)");
    }

    @Test
    void verifyShouldKeepTheMailHostWhenAcceptingMembersNameIt() {
        Verdict elsewhere = Verdict.accepted().withMailHost("mail2.example.org");

        Verdict required = run(Control.REQUIRED, v("ldap", elsewhere), Control.OPTIONAL, v("kopano", OK));
        Verdict sufficient = run(Control.SUFFICIENT, v("ldap", elsewhere), Control.REQUIRED, v("kopano", BAD));
        Verdict here = run(Control.REQUIRED, v("ldap", OK), Control.REQUIRED, v("kopano", OK));

        assertThat(required.state()).isEqualTo(State.ACCEPTED);
        assertThat(required.mailHost()).contains("mail2.example.org");
        assertThat(sufficient.mailHost()).contains("mail2.example.org");
        assertThat(here.mailHost()).isEmpty();
        // a failure elsewhere in the chain wins as before: no host is named for a refused login
        assertThat(run(Control.REQUIRED, v("ldap", elsewhere), Control.REQUIRED, v("kopano", BAD)).mailHost()).isEmpty();
    }
}
