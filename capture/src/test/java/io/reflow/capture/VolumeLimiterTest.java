package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.RetentionClass;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VolumeLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final VolumeLimiter limiter = new VolumeLimiter(now::get);

    @Test
    void aMinuteOfEventsMayArriveAtOnceThenTheyRefillContinuously() {
        Team team = team(new TeamLimits(600, 0));
        assertThat(limiter.allowEvents(team, 400)).isTrue();
        assertThat(limiter.allowEvents(team, 200)).isTrue();
        assertThat(limiter.allowEvents(team, 1)).isFalse();
        advanceSeconds(1); // 10 events per second
        assertThat(limiter.allowEvents(team, 11)).isFalse();
        assertThat(limiter.allowEvents(team, 10)).isTrue();
        assertThat(limiter.allowEvents(team, 1)).isFalse();
        advanceSeconds(3600);
        assertThat(limiter.allowEvents(team, 600)).isTrue();
    }

    @Test
    void aRequestLargerThanTheBucketPassesOnlyWhenItIsFullAndLeavesItInDebt() {
        Team team = team(new TeamLimits(0, 1000));
        assertThat(limiter.allowRecordingBytes(team, 5000)).isTrue();
        advanceSeconds(60);
        assertThat(limiter.allowRecordingBytes(team, 1)).isFalse(); // still 3000 bytes in debt
        advanceSeconds(4 * 60);
        assertThat(limiter.allowRecordingBytes(team, 5000)).isTrue();
    }

    @Test
    void limitsArePerTeamAndResourceAndZeroMeansUnlimited() {
        Team a = team(new TeamLimits(10, 10));
        Team b = new Team(2, "b", "phc_b", true, RetentionClass.D30, false, new TeamLimits(10, 10));
        assertThat(limiter.allowEvents(a, 10)).isTrue();
        assertThat(limiter.allowEvents(a, 1)).isFalse();
        assertThat(limiter.allowRecordingBytes(a, 10)).isTrue();
        assertThat(limiter.allowEvents(b, 10)).isTrue();
        Team unlimited = team(TeamLimits.UNLIMITED);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.allowEvents(unlimited, 1_000_000)).isTrue();
        }
    }

    @Test
    void aChangedLimitTakesEffectAtOnce() {
        assertThat(limiter.allowEvents(team(new TeamLimits(10, 0)), 10)).isTrue();
        assertThat(limiter.allowEvents(team(new TeamLimits(10, 0)), 1)).isFalse();
        assertThat(limiter.allowEvents(team(new TeamLimits(100, 0)), 50)).isTrue();
    }

    private void advanceSeconds(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private static Team team(TeamLimits limits) {
        return new Team(1, "a", "phc_a", true, RetentionClass.D30, false, limits);
    }
}
