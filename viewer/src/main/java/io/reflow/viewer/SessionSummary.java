package io.reflow.viewer;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One line of the session list, as the API returns it (times in epoch milliseconds, size in uncompressed bytes). */
record SessionSummary(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("start_time") long startTime,
        @JsonProperty("end_time") long endTime,
        @JsonProperty("duration_ms") long durationMs,
        @JsonProperty("first_url") String firstUrl,
        @JsonProperty("click_count") long clickCount,
        @JsonProperty("keypress_count") long keypressCount,
        @JsonProperty("mouse_activity_count") long mouseActivityCount,
        @JsonProperty("console_log_count") long consoleLogCount,
        @JsonProperty("console_warn_count") long consoleWarnCount,
        @JsonProperty("console_error_count") long consoleErrorCount,
        @JsonProperty("size") long size,
        @JsonProperty("event_count") long eventCount,
        @JsonProperty("active_ms") long activeMs,
        @JsonProperty("block_count") int blockCount) {}
