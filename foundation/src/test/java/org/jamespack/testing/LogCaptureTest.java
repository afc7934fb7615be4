package org.jamespack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;

class LogCaptureTest {

    @Test
    void assertNoSecretShouldFailWithoutPrintingTheSecretWhenALineOrStackTraceHoldsIt() {
        try (LogCapture logs = new LogCapture("org.jamespack.testing.demo", Level.DEBUG)) {
            LoggerFactory.getLogger("org.jamespack.testing.demo").warn("refused", new IllegalStateException("token tok-123 refused"));

            assertThatThrownBy(() -> logs.assertNoSecret(List.of("other", "tok-123")))
                .isInstanceOf(AssertionError.class)
                .hasMessage("log event #0 (WARN org.jamespack.testing.demo) contains secret #1 of 2")
                .hasMessageNotContaining("tok-123");
            logs.assertNoSecret(List.of("tok-999", ""));
            assertThat(logs.lines(Level.WARN)).containsExactly("refused");
            assertThat(logs.all()).contains("IllegalStateException: token tok-123 refused");
        }
    }

    @Test
    void closeShouldRestoreTheLoggerLevelAndStopCapturing() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.jamespack.testing.demo2");
        Level before = logger.getLevel();
        LogCapture logs = new LogCapture("org.jamespack.testing.demo2", Level.TRACE);
        logs.close();
        logger.trace("after close");

        assertThat(logger.getLevel()).isEqualTo(before);
        assertThat(logs.events()).isEmpty();
    }
}
