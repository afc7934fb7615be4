package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jamespack.testing.LogCapture;
import org.junit.jupiter.api.Test;

import ch.qos.logback.classic.Level;

/**
 * What every {@link TokenSource} promises, whatever its backend: a working backend's token, a
 * TRANSIENT answer when the backend cannot be reached, an answer for every concurrent caller,
 * and no token in anything printed or logged.
 */
interface TokenSourceContract {

    String ACCOUNT = "contract@example.org";

    /** A source whose backend answers with {@link #expectedToken()}. */
    TokenSource workingSource() throws Exception;

    /** A source whose backend cannot be reached. */
    TokenSource unreachableSource() throws Exception;

    String expectedToken();

    @Test
    default void tokenShouldReturnTheBackendsTokenWhenItWorks() throws Exception {
        TokenOutcome outcome = workingSource().token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Token.class,
            t -> assertThat(t.accessToken().reveal()).isEqualTo(expectedToken()));
    }

    @Test
    default void tokenShouldBeTransientWhenTheBackendIsUnreachable() throws Exception {
        TokenOutcome outcome = unreachableSource().token(false);

        assertThat(outcome).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
    }

    @Test
    default void tokenShouldAnswerEveryCallerWhenManyAskAtOnce() throws Exception {
        TokenSource source = workingSource();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<TokenOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> source.token(false)));
            }
            for (Future<TokenOutcome> f : futures) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isInstanceOf(TokenOutcome.Token.class);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    default void printingShouldNeverShowTheTokenWhenItWorks() throws Exception {
        try (LogCapture logs = new LogCapture("org.jamespack", Level.TRACE)) {
            TokenSource source = workingSource();
            TokenOutcome outcome = source.token(false);
            TokenOutcome forced = source.token(true);

            assertThat(logs.all() + outcome + forced + source + source.status()).doesNotContain(expectedToken());
        }
    }

    @Test
    default void statusShouldNameTheAccountWhenAsked() throws Exception {
        TokenSource source = workingSource();
        source.token(false);

        assertThat(source.account()).isEqualTo(ACCOUNT);
        assertThat(source.status().account()).isEqualTo(ACCOUNT);
        assertThat(source.status().endpointCalls()).isPositive();
    }
}
