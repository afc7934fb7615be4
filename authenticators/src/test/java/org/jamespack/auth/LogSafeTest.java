package org.jamespack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void ofShouldEscapeLineBreaksNulAndAnsiEscapesAsHexWhenTheValueIsHostile() {
        assertThat(LogSafe.of("a\r\nverdict=ACCEPTED")).isEqualTo("a\\x0d\\x0averdict=ACCEPTED");
        assertThat(LogSafe.of("x\0y\u001b[31mred\u007f")).isEqualTo("x\\x00y\\x1b[31mred\\x7f");
        assertThat(LogSafe.of("tab\there")).isEqualTo("tab\\x09here");
    }

    @Test
    void ofShouldEscapeC1ControlsAndTheEightBitCsiWhenPresent() {
        assertThat(LogSafe.of("a\u0085b\u009b2J")).isEqualTo("a\\x85b\\x9b2J");
    }

    @Test
    void ofShouldEscapeTheBackslashSoThatATypedEscapeCannotPassForARealOne() {
        assertThat(LogSafe.of("a\\x0ab")).isEqualTo("a\\x5cx0ab");
    }

    @Test
    void ofShouldEscapeUnicodeLineSeparatorsBidiControlsAndLoneSurrogatesWhenPresent() {
        assertThat(LogSafe.of("a\u2028b\u2029c\u202ed\u2066e")).isEqualTo("a\\u2028b\\u2029c\\u202ed\\u2066e");
        assertThat(LogSafe.of("x\uD800y")).isEqualTo("x\\ud800y");
        assertThat(LogSafe.of("x\uDC00")).isEqualTo("x\\udc00");
        assertThat(LogSafe.of("ok \uD83D\uDE00 émoji")).as("valid pairs and letters stay").isEqualTo("ok \uD83D\uDE00 émoji");
    }

    @Test
    void ofShouldReturnTheSameTextWhenNothingNeedsEscaping() {
        String plain = "alice@example.org";
        assertThat(LogSafe.of(plain)).isSameAs(plain);
    }

    @Test
    void ofShouldCapTheLengthAndSayHowLongTheValueWasWhenOverlong() {
        String capped = LogSafe.of("x".repeat(500));
        assertThat(capped).startsWith("x".repeat(LogSafe.MAX_CHARS)).endsWith("…(500 chars)").hasSize(LogSafe.MAX_CHARS + 12);
        assertThat(LogSafe.of("\n".repeat(500))).hasSizeLessThanOrEqualTo(LogSafe.MAX_CHARS * 4 + 20);
        assertThat(LogSafe.of("abc", 2)).isEqualTo("ab…(3 chars)");
    }

    @Test
    void ofShouldEscapeAHighSurrogateWhenTheCapCutsItsPair() {
        String value = "x".repeat(LogSafe.MAX_CHARS - 1) + "\uD83D\uDE00";
        assertThat(LogSafe.of(value)).endsWith("\\ud83d…(121 chars)");
    }

    @Test
    void lazyShouldEscapeOnlyWhenPrintedAndNullShouldReadAsADash() {
        assertThat(LogSafe.lazy("a\nb").toString()).isEqualTo("a\\x0ab");
        assertThat(LogSafe.of(null)).isEqualTo("-");
    }
}
