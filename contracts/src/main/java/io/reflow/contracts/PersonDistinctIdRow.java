package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which person a distinct id belongs to, published to {@link Topics#PERSON_DISTINCT_ID} for ClickHouse's
 * {@code person_distinct_id2} table (ReplacingMergeTree on {@code version}): a merge republishes the
 * distinct id with a higher version pointing at the surviving person.
 */
public record PersonDistinctIdRow(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("person_id") String personId,
        @JsonProperty("version") long version,
        @JsonProperty("is_deleted") int isDeleted) {
}
