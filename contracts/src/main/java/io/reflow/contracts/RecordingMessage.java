package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One recording message on the recordings topic: the rrweb events of one {@code $snapshot} item
 * (one session and window) as capture accepted them. Keyed by {@code session_id}.
 *
 * <p>{@code team_id} and {@code retention} are stamped by capture from the team registry; jobs
 * trust them and never take a team from the client payload.
 */
public record RecordingMessage(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("window_id") String windowId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("snapshot_source") String snapshotSource,
        @JsonProperty("snapshot_library") String snapshotLibrary,
        @JsonProperty("received_at_ms") long receivedAtMs,
        @JsonProperty("sent_at") String sentAt,
        @JsonProperty("retention") String retention,
        @JsonProperty("events") List<JsonNode> events) {

    public RecordingMessage {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
