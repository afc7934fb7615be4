package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * What every {@link CredentialVerifier} must do, whatever its backend: the four verdicts, an
 * empty password refused before any call, an unreachable backend reported as UNAVAILABLE.
 * A backend's test implements this interface (in a {@code @Nested} class per mode) and
 * provides a running backend with the accounts below.
 */
public interface CredentialVerifierContract {

    /** The verifier under test, connected to a running backend. */
    CredentialVerifier testee();

    /** A login that exists, is active, and whose password is {@link #rightPassword()}. */
    String knownLogin();

    Secret rightPassword();

    /** A login whose password is {@link #rightPassword()} but whose account is switched off. */
    String disabledLogin();

    /** Makes the backend unreachable for the rest of the test (stops or pauses it). */
    void stopBackend();

    default Protocol protocol() {
        return Protocol.IMAP;
    }

    private Verdict verify(String login, Secret password) {
        return testee().verify(LoginAttempt.of(login, password, protocol()));
    }

    @Test
    default void verifyShouldAcceptWhenPasswordIsRight() {
        assertThat(verify(knownLogin(), rightPassword()).state()).isEqualTo(Verdict.State.ACCEPTED);
    }

    @Test
    default void verifyShouldRejectWhenPasswordIsWrong() {
        Verdict verdict = verify(knownLogin(), Secret.of(rightPassword().reveal() + "x"));
        assertThat(verdict.state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(verdict.reason()).isEqualTo(Verdict.Reason.INVALID_CREDENTIALS);
    }

    @Test
    default void verifyShouldRejectWhenUserIsUnknown() {
        Verdict verdict = verify("nobody-" + knownLogin(), rightPassword());
        assertThat(verdict.state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(verdict.reason()).isEqualTo(Verdict.Reason.INVALID_CREDENTIALS);
    }

    @Test
    default void verifyShouldRejectWhenPasswordIsWrongForDisabledAccount() {
        assertThat(verify(disabledLogin(), Secret.of(rightPassword().reveal() + "x")).state()).isEqualTo(Verdict.State.REJECTED);
    }

    @Test
    default void verifyShouldDisableWhenAccountIsSwitchedOff() {
        assertThat(verify(disabledLogin(), rightPassword()).state()).isEqualTo(Verdict.State.DISABLED);
    }

    @Test
    default void verifyShouldRejectEmptyPasswordWithoutAskingBackend() {
        // with the backend gone, any call to it would give UNAVAILABLE: REJECTED proves no call was made
        stopBackend();
        Verdict verdict = verify(knownLogin(), Secret.of(""));
        assertThat(verdict.state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(verdict.reason()).isEqualTo(Verdict.Reason.MALFORMED_INPUT);
    }

    @Test
    default void verifyShouldBeUnavailableWhenBackendIsDown() {
        stopBackend();
        Verdict verdict = verify(knownLogin(), rightPassword());
        assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
        assertThat(verdict.cause()).isPresent();
    }

    @Test
    default void verifyShouldBeUnavailableForWrongPasswordWhenBackendIsDown() {
        stopBackend();
        assertThat(verify(knownLogin(), Secret.of("wrong")).state()).isEqualTo(Verdict.State.UNAVAILABLE);
    }
}
