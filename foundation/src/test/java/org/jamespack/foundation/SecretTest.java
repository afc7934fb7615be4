package org.jamespack.foundation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SecretTest {

    private static final String VALUE = "s3cr3t-Pa55";

    @Test
    void toStringShouldNeverShowTheValueWhenPrintedDirectlyOrInsideCollectionsAndRecords() {
        Secret secret = Secret.of(VALUE);
        record Attempt(String user, Secret password) {
        }
        Attempt attempt = new Attempt("alice", secret);

        assertThat(secret.toString()).doesNotContain(VALUE).isEqualTo("Secret[redacted]");
        assertThat(String.valueOf(List.of(secret))).doesNotContain(VALUE);
        assertThat(String.valueOf(Map.of("password", secret))).doesNotContain(VALUE);
        assertThat(attempt.toString()).doesNotContain(VALUE).contains("alice");
        assertThat(String.format("%s", secret)).doesNotContain(VALUE);
    }

    @Test
    void hashCodeShouldNotDependOnTheValueWhenValuesDiffer() {
        assertThat(Secret.of("a").hashCode()).isEqualTo(Secret.of("completely different").hashCode());
    }

    @Test
    void equalsShouldCompareValuesWhenSecretsAreDistinctObjects() {
        assertThat(Secret.of(VALUE)).isEqualTo(Secret.of(VALUE.toCharArray()));
        assertThat(Secret.of(VALUE)).isNotEqualTo(Secret.of(VALUE + "x"));
        assertThat(Secret.of(VALUE)).isNotEqualTo(Secret.of("S3cr3t-Pa55"));
        assertThat(Secret.of("")).isEqualTo(Secret.of(""));
        assertThat(Secret.of(VALUE)).isNotEqualTo(VALUE);
        assertThat(Secret.of(VALUE).equals(null)).isFalse();
    }

    @Test
    void equalsShouldTellLoneSurrogatesApartWhenTheUtf8EncoderWouldReplaceThemAlike() {
        // a charset encoder turns every lone surrogate into '?': comparing encodings said these were equal
        assertThat(Secret.of("pw\uD800")).isNotEqualTo(Secret.of("pw?"));
        assertThat(Secret.of("pw\uD800")).isNotEqualTo(Secret.of("pw\uDC00"));
        assertThat(Secret.of("pw\uD83D\uDE00")).isEqualTo(Secret.of("pw\uD83D\uDE00"));
    }

    @Test
    void equalsShouldTakeTheSameTimeWhetherTheFirstOrTheLastCharacterDiffers() {
        // a timing test with a wide margin: an early-exit comparison over 64 KiB differs by far more
        char[] base = new char[65536];
        java.util.Arrays.fill(base, 'a');
        char[] firstDiffers = base.clone();
        firstDiffers[0] = 'b';
        char[] lastDiffers = base.clone();
        lastDiffers[lastDiffers.length - 1] = 'b';
        Secret reference = Secret.of(base);
        Secret first = Secret.of(firstDiffers);
        Secret last = Secret.of(lastDiffers);
        for (int i = 0; i < 200; i++) { // warm up
            reference.equals(first);
            reference.equals(last);
        }
        long firstNanos = Long.MAX_VALUE;
        long lastNanos = Long.MAX_VALUE;
        for (int round = 0; round < 50; round++) {
            long t0 = System.nanoTime();
            reference.equals(first);
            long t1 = System.nanoTime();
            reference.equals(last);
            long t2 = System.nanoTime();
            firstNanos = Math.min(firstNanos, t1 - t0);
            lastNanos = Math.min(lastNanos, t2 - t1);
        }
        assertThat((double) firstNanos / lastNanos).isBetween(0.33, 3.0);
    }

    @Test
    void ofShouldCopyTheCharactersWhenTheCallerZeroesItsArray() {
        char[] chars = VALUE.toCharArray();
        Secret secret = Secret.of(chars);
        java.util.Arrays.fill(chars, '\0');

        assertThat(secret.reveal()).isEqualTo(VALUE);
        char[] out = secret.chars();
        out[0] = 'X';
        assertThat(secret.reveal()).isEqualTo(VALUE);
    }

    @Test
    void utf8ShouldEncodeNonAsciiWhenTheValueHasAccents() {
        assertThat(Secret.of("é").utf8()).containsExactly((byte) 0xc3, (byte) 0xa9);
    }

    @Test
    void eraseShouldMakeEveryReadFailWhenCalled() {
        Secret secret = Secret.of(VALUE);
        secret.erase();

        assertThatThrownBy(secret::reveal).isInstanceOf(IllegalStateException.class).hasMessageNotContaining(VALUE);
        assertThatThrownBy(secret::chars).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(secret::utf8).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(secret::length).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(secret::isEmpty).isInstanceOf(IllegalStateException.class);
        assertThat(secret.toString()).isEqualTo("Secret[redacted]");
    }

    @Test
    void equalsShouldBeFalseNotThrowWhenEitherSideWasErased() {
        Secret erased = Secret.of(VALUE);
        erased.erase();

        assertThat(erased.equals(Secret.of(VALUE))).isFalse();
        assertThat(Secret.of(VALUE).equals(erased)).isFalse();
        assertThat(erased.equals(erased)).isTrue();
    }

    @Test
    void eraseShouldBeIdempotentWhenCalledTwice() {
        Secret secret = Secret.of(VALUE);
        secret.erase();
        secret.erase();
        assertThatThrownBy(secret::reveal).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ofShouldRefuseNullWhenGivenNoValue() {
        assertThatThrownBy(() -> Secret.of((String) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Secret.of((char[]) null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void containsAnyShouldFindNulWhenPresent() {
        assertThat(Secret.of("a\0b").containsAny("\0")).isTrue();
        assertThat(Secret.of("ab").containsAny("\0")).isFalse();
    }
}
