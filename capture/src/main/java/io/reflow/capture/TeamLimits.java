package io.reflow.capture;

/**
 * A team's volume limits, each a token bucket holding one minute's worth that refills continuously;
 * 0 means unlimited. Over a limit capture answers {@code {"status":1,"quota_limited":[…]}} and writes nothing.
 *
 * @param eventsPerMinute analytics events (every item of an events request counts)
 * @param recordingBytesPerMinute decoded (decompressed) bytes of recording requests
 */
public record TeamLimits(long eventsPerMinute, long recordingBytesPerMinute) {
    public static final TeamLimits UNLIMITED = new TeamLimits(0, 0);

    public TeamLimits {
        if (eventsPerMinute < 0 || recordingBytesPerMinute < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }
}
