package io.reflow.capture;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-team volume limits ({@link TeamLimits}): one token bucket per team and resource, created on first use
 * and replaced when the registry changes the team's limit.
 */
final class VolumeLimiter {
    static final String EVENTS = "events";
    static final String RECORDINGS = "recordings";
    private static final long PERIOD_NANOS = Duration.ofMinutes(1).toNanos();

    private final Map<Key, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    VolumeLimiter() {
        this(System::nanoTime);
    }

    VolumeLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Events of one request: allowed, or over the team's limit (then nothing is taken). */
    boolean allowEvents(Team team, long events) {
        return allow(team.teamId(), EVENTS, team.limits().eventsPerMinute(), events);
    }

    /** Decoded bytes of one recordings request. */
    boolean allowRecordingBytes(Team team, long bytes) {
        return allow(team.teamId(), RECORDINGS, team.limits().recordingBytesPerMinute(), bytes);
    }

    private boolean allow(long teamId, String resource, long perMinute, long amount) {
        if (perMinute <= 0) {
            return true;
        }
        Key key = new Key(teamId, resource);
        long now = nanoClock.getAsLong();
        TokenBucket bucket = buckets.get(key);
        if (bucket == null || bucket.capacity() != perMinute) {
            bucket = buckets.compute(key, (k, b) -> b != null && b.capacity() == perMinute ? b
                    : new TokenBucket(perMinute, PERIOD_NANOS, now));
        }
        return bucket.tryTake(amount, now);
    }

    private record Key(long teamId, String resource) {}
}
