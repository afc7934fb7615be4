package org.jamespack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.Test;

class LoginAttemptTest {

    @Test
    void toStringShouldNameTheUserButNeverThePassword() {
        LoginAttempt attempt = LoginAttempt.of("alice", Secret.of("s3cr3t-Pa55"), Protocol.IMAP);

        assertThat(attempt.toString()).doesNotContain("s3cr3t-Pa55").contains("alice");
    }
}
