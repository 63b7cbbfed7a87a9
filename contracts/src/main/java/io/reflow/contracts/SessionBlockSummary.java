package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One row per committed recording block, published to {@link Topics#SESSION_REPLAY_EVENTS} only
 * after the batch file holding the block is committed. Timestamps are epoch milliseconds; the
 * ClickHouse Kafka table reads them as DateTime64(3).
 */
public record SessionBlockSummary(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("first_timestamp") long firstTimestamp,
        @JsonProperty("last_timestamp") long lastTimestamp,
        @JsonProperty("block_url") String blockUrl,
        @JsonProperty("first_url") String firstUrl,
        @JsonProperty("urls") List<String> urls,
        @JsonProperty("click_count") long clickCount,
        @JsonProperty("keypress_count") long keypressCount,
        @JsonProperty("mouse_activity_count") long mouseActivityCount,
        @JsonProperty("active_milliseconds") long activeMilliseconds,
        @JsonProperty("console_log_count") long consoleLogCount,
        @JsonProperty("console_warn_count") long consoleWarnCount,
        @JsonProperty("console_error_count") long consoleErrorCount,
        @JsonProperty("size") long size,
        @JsonProperty("event_count") long eventCount,
        @JsonProperty("message_count") long messageCount,
        @JsonProperty("snapshot_source") String snapshotSource,
        @JsonProperty("snapshot_library") String snapshotLibrary,
        @JsonProperty("retention_period_days") int retentionPeriodDays) {

    public SessionBlockSummary {
        urls = urls == null ? List.of() : List.copyOf(urls);
    }
}
