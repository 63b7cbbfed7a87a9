package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One row of {@link Topics#LOG_ENTRIES}: a console log line a recording captured (rrweb console plugin), published by
 * the replay job with the block that holds it, in the same checkpoint as the block's summary row. PostHog's
 * log_entries shape: {@code log_source} says what produced it ({@value #SESSION_REPLAY}), {@code log_source_id} which
 * one (the session id), {@code instance_id} the browser window (may be null). {@code timestamp} is the rrweb event's,
 * in epoch milliseconds. {@code level} is {@code info}, {@code warn} or {@code error}; {@code message} holds at most
 * {@value #MAX_MESSAGE_CHARS} characters.
 */
public record LogEntry(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("log_source") String logSource,
        @JsonProperty("log_source_id") String logSourceId,
        @JsonProperty("instance_id") String instanceId,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("level") String level,
        @JsonProperty("message") String message,
        @JsonProperty("retention_period_days") int retentionPeriodDays) {

    public static final String SESSION_REPLAY = "session_replay";
    public static final int MAX_MESSAGE_CHARS = 3000;
}
