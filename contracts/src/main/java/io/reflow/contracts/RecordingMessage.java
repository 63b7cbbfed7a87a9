package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One recording message on the recordings topic: the rrweb events of one {@code $snapshot} item
 * (one session and window) as capture accepted them. Keyed by {@code session_id}.
 *
 * <p>{@code team_id} and {@code retention} are stamped by capture from the team registry; jobs
 * trust them and never take a team from the client payload.
 *
 * <p>{@code encrypt} (also stamped by capture, from the team's {@code recording.encrypt} setting) asks the replay job to
 * encrypt the session's blocks with a data key of the session's own (absent means false).
 *
 * <p>A message carries either whole rrweb {@code events} or, for one event larger than a Kafka message, one
 * {@code event_part} of it ({@link RecordingEventPart}) and no events. {@code events} stays the last field: capture
 * splices the client's bytes into it.
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
        @JsonProperty("encrypt") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean encrypt,
        @JsonProperty("event_part") @JsonInclude(JsonInclude.Include.NON_NULL) RecordingEventPart eventPart,
        @JsonProperty("events") List<JsonNode> events) {

    @JsonCreator
    public RecordingMessage {
        events = events == null ? List.of() : List.copyOf(events);
    }

    /** An unencrypted session's message. */
    public RecordingMessage(long teamId, String sessionId, String windowId, String distinctId, String snapshotSource,
                            String snapshotLibrary, long receivedAtMs, String sentAt, String retention,
                            RecordingEventPart eventPart, List<JsonNode> events) {
        this(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs, sentAt, retention,
                false, eventPart, events);
    }

    /** A message of whole events. */
    public RecordingMessage(long teamId, String sessionId, String windowId, String distinctId, String snapshotSource,
                            String snapshotLibrary, long receivedAtMs, String sentAt, String retention, List<JsonNode> events) {
        this(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs, sentAt, retention,
                null, events);
    }

    public RecordingMessage withEncrypt(boolean encrypted) {
        return new RecordingMessage(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs,
                sentAt, retention, encrypted, eventPart, events);
    }

    public RecordingMessage withEvents(List<JsonNode> replaced) {
        return new RecordingMessage(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs,
                sentAt, retention, encrypt, null, replaced);
    }

    public RecordingMessage withEventPart(RecordingEventPart part) {
        return new RecordingMessage(teamId, sessionId, windowId, distinctId, snapshotSource, snapshotLibrary, receivedAtMs,
                sentAt, retention, encrypt, part, List.of());
    }
}
