package org.jamespack.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private final RetrySchedule exim = RetrySchedule.parse(RetrySchedule.DEFAULT);

    @Test
    void nextDelayShouldBeEvery15MinutesDuringTheFirstTwoHours() {
        assertThat(exim.nextDelay(Duration.ZERO)).contains(Duration.ofMinutes(15));
        assertThat(exim.nextDelay(Duration.ofMinutes(15))).contains(Duration.ofMinutes(15));
        assertThat(exim.nextDelay(Duration.ofMinutes(100))).contains(Duration.ofMinutes(5));
        assertThat(exim.nextDelay(Duration.ofMinutes(105))).contains(Duration.ofMinutes(15));
    }

    @Test
    void nextDelayShouldGrowGeometricallyFromOneHourAfterTwoHours() {
        assertThat(exim.nextDelay(Duration.ofHours(2))).contains(Duration.ofHours(1));
        assertThat(exim.nextDelay(Duration.ofHours(3))).contains(Duration.ofMinutes(90));
        assertThat(exim.nextDelay(Duration.ofMinutes(270))).contains(Duration.ofMinutes(135));
    }

    @Test
    void nextDelayShouldBeEverySixHoursAfterSixteenHoursAndStopAtFourDays() {
        // G rule attempts: 3h, 4.5h, 6.75h, 10.125h, 15.1875h, 22.78125h; then F every 6 h
        assertThat(exim.nextDelay(Duration.ofMillis(Math.round(22.78125 * 3_600_000)))).contains(Duration.ofHours(6));
        assertThat(exim.nextDelay(Duration.ofDays(4))).isEmpty();
        assertThat(exim.nextDelay(Duration.ofDays(5))).isEmpty();
        assertThat(exim.lastCutoff()).isEqualTo(Duration.ofDays(4));
        assertThat(exim.lastInterval()).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void parseShouldAcceptCombinedTimesAndSpaces() {
        RetrySchedule s = RetrySchedule.parse(" F , 1h30m , 30s ");
        assertThat(s.nextDelay(Duration.ZERO)).contains(Duration.ofSeconds(30));
        assertThat(s.lastCutoff()).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void parseShouldNameTheBadRuleWhenTheSyntaxIsWrong() {
        assertThatThrownBy(() -> RetrySchedule.parse("F,2h,15m; X,4d,6h")).hasMessageContaining("rule 'X,4d,6h'");
        assertThatThrownBy(() -> RetrySchedule.parse("F,2x,15m")).hasMessageContaining("'2x' is not an exim time");
        assertThatThrownBy(() -> RetrySchedule.parse("G,16h,1h")).hasMessageContaining("G,cutoff,start,multiplier");
        assertThatThrownBy(() -> RetrySchedule.parse("F,4d,6h; F,2h,15m")).hasMessageContaining("cutoffs must grow");
        assertThatThrownBy(() -> RetrySchedule.parse(" ")).hasMessageContaining("no retry rule");
    }
}
