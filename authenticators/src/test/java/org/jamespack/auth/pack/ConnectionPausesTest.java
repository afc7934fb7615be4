package org.jamespack.auth.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ConnectionPausesTest {

    /** A connection's read switch that records each flip. */
    private static final class Switch implements ConnectionPauses.ReadSwitch {
        final List<Boolean> flips = new CopyOnWriteArrayList<>();
        final CountDownLatch resumed = new CountDownLatch(1);

        @Override
        public void setReadable(boolean readable) {
            flips.add(readable);
            if (readable) {
                resumed.countDown();
            }
        }
    }

    @Test
    void pauseShouldStopReadingUntilTheDelayEndsThenResume() throws Exception {
        try (ConnectionPauses pauses = new ConnectionPauses()) {
            Object connection = new Object();
            Switch s = new Switch();

            pauses.pause(connection, s, Duration.ofMillis(100));

            assertThat(pauses.paused(connection)).isTrue();
            assertThat(s.flips).containsExactly(false);
            assertThat(s.resumed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(s.flips).containsExactly(false, true);
            assertThat(pauses.paused(connection)).isFalse();
        }
    }

    @Test
    void pauseShouldDoNothingWhenTheDelayIsZero() {
        try (ConnectionPauses pauses = new ConnectionPauses()) {
            Object connection = new Object();
            Switch s = new Switch();

            pauses.pause(connection, s, Duration.ZERO);

            assertThat(pauses.paused(connection)).isFalse();
            assertThat(s.flips).isEmpty();
        }
    }

    @Test
    void closeShouldResumeEveryPausedConnectionAndLaterPausesShouldNotStick() {
        ConnectionPauses pauses = new ConnectionPauses();
        Object connection = new Object();
        Switch s = new Switch();
        pauses.pause(connection, s, Duration.ofHours(1));

        pauses.close();

        assertThat(s.flips).containsExactly(false, true);
        assertThat(pauses.paused(connection)).isFalse();
        Switch late = new Switch();
        pauses.pause(connection, late, Duration.ofHours(1));
        // no thread would resume it: it is made readable again at once
        assertThat(late.flips).containsExactly(false, true);
    }

    @Test
    void closingThePackShouldCloseItsPauses() {
        AuthPack pack = AuthPack.load(new java.io.ByteArrayInputStream(
                "<usersrepository><authpack><t/></authpack></usersrepository>".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            "f", BackendFactories.standard().withBackend("t", n -> new FixedVerifier("x")));
        Object connection = new Object();
        Switch s = new Switch();
        pack.pauses().pause(connection, s, Duration.ofHours(1));

        pack.close();

        assertThat(s.flips).containsExactly(false, true);
    }
}
