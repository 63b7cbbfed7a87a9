package io.reflow.capture;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What capture accepted from a client but cannot pass on, with the reason, as written to the
 * dead-letter topic (header {@code reason} too). {@code payload} is the offending item as received,
 * or null when it was too large to keep.
 */
public record DeadLetter(
        @JsonProperty("source") String source,
        @JsonProperty("endpoint") String endpoint,
        @JsonProperty("reason") String reason,
        @JsonProperty("detail") String detail,
        @JsonProperty("team_id") long teamId,
        @JsonProperty("token") String token,
        @JsonProperty("received_at_ms") long receivedAtMs,
        @JsonProperty("payload") JsonNode payload) {

    static final String SOURCE = "capture";
}
