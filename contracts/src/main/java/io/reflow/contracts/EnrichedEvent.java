package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An event as the events job publishes it to {@link Topics#EVENTS_JSON} for ClickHouse's {@code events}
 * table: normalised, clock-skew corrected, with the person as of processing. Timestamps are epoch
 * milliseconds; {@code properties} and {@code person_properties} are JSON objects serialised as strings
 * (ClickHouse stores them as String and reads them with JSONExtract).
 *
 * @param personMode {@code full} (person profile processed), {@code propertyless} (the event asked for no
 *     person processing: person id derived, no person row) or {@code force_upgrade}
 */
public record EnrichedEvent(
        @JsonProperty("uuid") String uuid,
        @JsonProperty("event") String event,
        @JsonProperty("properties") String properties,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("team_id") long teamId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("elements_chain") String elementsChain,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("person_id") String personId,
        @JsonProperty("person_properties") String personProperties,
        @JsonProperty("person_created_at") long personCreatedAt,
        @JsonProperty("person_mode") String personMode) {
}
