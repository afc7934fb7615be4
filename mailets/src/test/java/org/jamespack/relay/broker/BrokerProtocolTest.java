package org.jamespack.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.Test;

class BrokerProtocolTest {

    static BrokerProtocol.Request parse(String s) {
        return BrokerProtocol.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void parseShouldGiveTheAccountWhenRequestIsWellFormed() {
        assertThat(parse("SMTP alice@example.org")).isEqualTo(new BrokerProtocol.Valid("alice@example.org"));
        assertThat(parse("SMTP alice@example.org\r")).isEqualTo(new BrokerProtocol.Valid("alice@example.org"));
    }

    @Test
    void parseShouldRefuseWhenRequestIsMalformed() {
        assertThat(parse("")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("smtp alice@example.org")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("SMTP  alice@example.org")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("SMTP alice@example.org extra")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("SMTP ")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("SMTP al\u0000ice")).isInstanceOf(BrokerProtocol.Invalid.class);
        assertThat(parse("SMTP " + "a".repeat(321))).isInstanceOf(BrokerProtocol.Invalid.class);
    }

    @Test
    void parseShouldQuoteOnlyAShortPrintableExcerptWhenRequestIsGarbage() {
        BrokerProtocol.Invalid invalid = (BrokerProtocol.Invalid) parse("GET /\u0001\u0002" + "x".repeat(100));

        assertThat(invalid.why()).contains("GET /??").hasSizeLessThan(80).doesNotContain("\u0001");
    }

    @Test
    void answerShouldBeTheRawXoauth2StringWithoutLineEnd() {
        byte[] answer = BrokerProtocol.answer("alice@example.org", Secret.of("tok"));

        assertThat(new String(answer, StandardCharsets.US_ASCII))
            .isEqualTo("user=alice@example.org\u0001auth=Bearer tok\u0001\u0001");
    }

    @Test
    void isWireSafeShouldAcceptRfc6750TokensAndRefuseWhatEximWouldAlter() {
        assertThat(BrokerProtocol.isWireSafe(Secret.of("ya29.a0AfH6SMB-x_y~z+/9=="))).isTrue();
        assertThat(BrokerProtocol.isWireSafe(Secret.of("eyJ0eXAi.eyJhdWQi.sig"))).isTrue();
        assertThat(BrokerProtocol.isWireSafe(Secret.of("a^b"))).isFalse();
        assertThat(BrokerProtocol.isWireSafe(Secret.of("a b"))).isFalse();
        assertThat(BrokerProtocol.isWireSafe(Secret.of("a\u0001b"))).isFalse();
        assertThat(BrokerProtocol.isWireSafe(Secret.of("ab\n"))).isFalse();
        assertThat(BrokerProtocol.isWireSafe(Secret.of(""))).isFalse();
    }
}
