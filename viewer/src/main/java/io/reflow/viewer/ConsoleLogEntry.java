package io.reflow.viewer;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One console line of a recording ({@code log_entries}): level info, warn or error; time in epoch milliseconds. */
record ConsoleLogEntry(
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("level") String level,
        @JsonProperty("message") String message,
        @JsonProperty("window_id") String windowId) {}
