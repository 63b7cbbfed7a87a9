package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One analytics event as capture writes it to the events topic (key {@code token:distinct_id}):
 * the event JSON as the client sent it, plus what capture knows about the request.
 *
 * @param uuid the event's uuid, or one capture generated (UUIDv7) when the client sent none
 * @param ip the client address, already anonymised when the team asks for it
 * @param now when capture received the request (ISO-8601, UTC)
 * @param sentAt when the client says it sent the request (ISO-8601), or null
 */
public record CapturedEvent(
        @JsonProperty("uuid") String uuid,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("team_id") long teamId,
        @JsonProperty("token") String token,
        @JsonProperty("ip") String ip,
        @JsonProperty("now") String now,
        @JsonProperty("received_at_ms") long receivedAtMs,
        @JsonProperty("sent_at") String sentAt,
        @JsonProperty("event") JsonNode event) {
}
