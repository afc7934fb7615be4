package org.jamespack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SaslCredentialsTest {

    private static String b64(String message) {
        return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void plainShouldGiveTheAuthcidAndPasswordWhenTheAuthzidIsEmpty() {
        Optional<SaslCredentials> c = SaslCredentials.plain(b64("\0alice@example.org\0alice-secret"));
        assertThat(c).isPresent();
        assertThat(c.get().login()).isEqualTo("alice@example.org");
        assertThat(c.get().password().reveal()).isEqualTo("alice-secret");
    }

    @Test
    void plainShouldAcceptAnAuthzidEqualToTheAuthcid() {
        assertThat(SaslCredentials.plain(b64("alice\0alice\0pw"))).map(SaslCredentials::login).contains("alice");
    }

    @Test
    void plainShouldKeepUtf8AndATrailingCrlfOfTheLine() {
        assertThat(SaslCredentials.plain(b64("\0jörg@example.org\0pässwörd") + "\r\n"))
            .map(c -> c.password().reveal()).contains("pässwörd");
    }

    /** RFC 4616 section 2: exactly two NULs, authcid and passwd not empty, authzid empty or the authcid. */
    @ParameterizedTest
    @ValueSource(strings = {"\0alice@example.org\0\0alice-secret\0", "\0alice\0secret\0junk", "alice\0secret",
        "\0\0secret", "\0alice\0", "mallory\0alice\0secret", "alicesecret", "\0alice\0\0secret"})
    void plainShouldBeMalformedWhenTheMessageIsNotRfc4616(String message) {
        assertThat(SaslCredentials.plain(b64(message))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=", "not base64!", "AGFsaWNlAHNlY3JldA", " AGFsaWNlAHNlY3JldA==", "AGFs\r\naWNlAHNlY3JldA=="})
    void plainShouldBeMalformedWhenTheBase64IsNot(String base64) {
        assertThat(SaslCredentials.plain(base64)).isEmpty();
    }

    @Test
    void plainShouldBeMalformedWhenAFieldIsNotUtf8() {
        byte[] message = {0, 'a', 0, (byte) 0xC3, (byte) 0x28};
        assertThat(SaslCredentials.plainMessage(message)).isEmpty();
    }

    @Test
    void loginFieldShouldRefuseNulEmptyAndInvalidUtf8() {
        assertThat(SaslCredentials.loginField(b64("alice@example.org"))).contains("alice@example.org");
        assertThat(SaslCredentials.loginField(b64("alice\0"))).isEmpty();
        assertThat(SaslCredentials.loginField("")).isEmpty();
        assertThat(SaslCredentials.loginField(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFF}))).isEmpty();
    }

    @Test
    void toStringShouldNeverShowThePassword() {
        assertThat(SaslCredentials.plain(b64("\0alice\0hunter2")).orElseThrow().toString()).doesNotContain("hunter2");
    }
}
