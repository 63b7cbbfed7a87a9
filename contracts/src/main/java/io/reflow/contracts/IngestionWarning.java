package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Something a team should know about its data that did not stop ingestion (an illegal distinct id, a merge
 * refused because both persons are identified, …), published to {@link Topics#INGESTION_WARNINGS}.
 *
 * @param details a JSON object serialised as a string (event uuid, distinct ids involved, …)
 */
public record IngestionWarning(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("source") String source,
        @JsonProperty("type") String type,
        @JsonProperty("details") String details,
        @JsonProperty("timestamp") long timestamp) {
}
