package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A version of a person, published to {@link Topics#PERSON} for ClickHouse's {@code person} table
 * (ReplacingMergeTree on {@code version}, {@code is_deleted} marks a person merged away). Every change
 * publishes the whole person with a higher version.
 */
public record PersonRow(
        @JsonProperty("id") String id,
        @JsonProperty("team_id") long teamId,
        @JsonProperty("properties") String properties,
        @JsonProperty("is_identified") int isIdentified,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("version") long version,
        @JsonProperty("is_deleted") int isDeleted) {
}
