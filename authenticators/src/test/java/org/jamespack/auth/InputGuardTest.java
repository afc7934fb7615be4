package org.jamespack.auth;

import org.jamespack.foundation.Secret;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.jamespack.auth.Verdict.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputGuardTest {

    private static Optional<Verdict> check(String login, String password) {
        return InputGuard.precheck(LoginAttempt.of(login, Secret.of(password), Protocol.SMTP));
    }

    private static void assertMalformed(Optional<Verdict> v) {
        assertThat(v).isPresent();
        assertThat(v.get().state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(v.get().reason()).isEqualTo(Reason.MALFORMED_INPUT);
    }

    @Test
    void precheckShouldPassWhenLoginAndPasswordAreOrdinary() {
        assertThat(check("alice@example.org", "correct horse")).isEmpty();
        assertThat(check("jörg", "pässwörd \uD83D\uDE00")).isEmpty();
        assertThat(check("u\uD83D\uDE00", "p")).isEmpty();
    }

    @Test
    void precheckShouldRejectWhenPasswordIsEmpty() {
        assertMalformed(check("alice", ""));
    }

    @Test
    void precheckShouldRejectWhenLoginIsEmpty() {
        assertMalformed(check("", "pw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"al\0ice", "alice\r\nbcc", "\talice", "alice\u007f", "alice\u0085", "alice\u009b", "alice\uFFFD"})
    void precheckShouldRejectWhenLoginHasControlOrReplacementCharacters(String login) {
        assertMalformed(check(login, "pw"));
    }

    @Test
    void precheckShouldRejectWhenPasswordHasNul() {
        assertMalformed(check("alice", "pw\0"));
        assertMalformed(check("alice", "\0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\uD800", "\uDC00a", "a\uDC00\uD800b", "\uD800"})
    void precheckShouldRejectWhenLoginHasLoneSurrogates(String login) {
        assertMalformed(check(login, "pw"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pw\uD800", "\uDC00pw", "pw\uDC00\uD800"})
    void precheckShouldRejectWhenPasswordHasLoneSurrogates(String password) {
        // a UTF-8 encoder replaces a lone surrogate with '?', so "pw\uD800" would bind as "pw?"
        assertMalformed(check("alice", password));
    }

    @Test
    void precheckShouldRejectWhenLoginIsOverLong() {
        assertThat(check("a".repeat(InputGuard.MAX_LOGIN_LENGTH), "pw")).isEmpty();
        assertMalformed(check("a".repeat(InputGuard.MAX_LOGIN_LENGTH + 1), "pw"));
        assertMalformed(check("a".repeat(64 * 1024), "pw"));
    }

    @Test
    void precheckShouldRejectWhenPasswordIsOverLong() {
        assertThat(check("alice", "p".repeat(InputGuard.MAX_PASSWORD_LENGTH))).isEmpty();
        assertMalformed(check("alice", "p".repeat(InputGuard.MAX_PASSWORD_LENGTH + 1)));
        assertMalformed(check("alice", "p".repeat(64 * 1024)));
    }

    @Test
    void precheckShouldNeverPutThePasswordInTheVerdictWhenRejecting() {
        String password = "hunter2\0";
        Verdict v = check("alice", password).orElseThrow();
        assertThat(v.toString()).doesNotContain("hunter2");
        assertThat(v.detail()).doesNotContain("hunter2");
    }
}
