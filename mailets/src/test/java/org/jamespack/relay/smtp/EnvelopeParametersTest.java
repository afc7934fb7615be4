package org.jamespack.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

class EnvelopeParametersTest {

    private static final byte[] ASCII = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);

    private static EnvelopeParameters.Outcome of(List<String> rcpts, byte[] message, DsnRequest dsn, Set<String> offered,
                                                 Optional<String> size) {
        return EnvelopeParameters.of("smarthost:587", "alice@a.example", rcpts, message, message.length, dsn, offered::contains, size);
    }

    private static RelayTransport.Envelope envelope(EnvelopeParameters.Outcome outcome) {
        assertThat(outcome).isInstanceOf(EnvelopeParameters.Send.class);
        return ((EnvelopeParameters.Send) outcome).envelope();
    }

    @Test
    void ofShouldLeaveOutAnEnvidThatIsNotXtextAndANotifyThatMixesNeverWithOthers() {
        DsnRequest dsn = new DsnRequest(Optional.of("full"), Optional.of("a=b"), Map.of(
            "bob@b.example", new DsnRequest.Recipient(Set.of("NEVER", "SUCCESS"), Optional.empty())));

        RelayTransport.Envelope e = envelope(of(List.of("Bob@B.example"), ASCII, dsn, Set.of("DSN"), Optional.empty()));

        assertThat(e.mailParameters()).isEqualTo(" RET=FULL");
        assertThat(e.recipientParameters()).containsEntry("bob@b.example", "");
    }

    @Test
    void ofShouldTakeSizeWithoutANumberAsNoLimit() {
        RelayTransport.Envelope e = envelope(of(List.of("bob@b.example"), ASCII, DsnRequest.NONE, Set.of("SIZE"), Optional.of("")));

        assertThat(e.mailParameters()).isEqualTo(" SIZE=" + ASCII.length);
    }

    @Test
    void ofShouldAskFor8bitmimeOnlyForAMessageWithEightBitBytes() {
        byte[] eightBit = "Subject: x\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8);

        assertThat(envelope(of(List.of("bob@b.example"), eightBit, DsnRequest.NONE, Set.of("8BITMIME"), Optional.empty()))
            .mailParameters()).isEqualTo(" BODY=8BITMIME");
        assertThat(envelope(of(List.of("bob@b.example"), ASCII, DsnRequest.NONE, Set.of("8BITMIME"), Optional.empty()))
            .mailParameters()).isEmpty();
    }

    @Test
    void xtextShouldEncodePlusEqualsAndControlCharacters() {
        assertThat(EnvelopeParameters.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
        assertThat(EnvelopeParameters.isXtext("a+2Bb")).isTrue();
        assertThat(EnvelopeParameters.isXtext("a+2")).isFalse();
        assertThat(EnvelopeParameters.isXtext("a+2b")).isFalse();
    }
}
