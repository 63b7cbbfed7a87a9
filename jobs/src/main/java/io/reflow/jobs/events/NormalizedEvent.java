package io.reflow.jobs.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An event after {@link EventNormalizer}: everything the events table needs except the person, plus what person
 * processing needs, pre-extracted so the keyed stage does not parse the event's properties again. It crosses the
 * {@code keyBy} inside a {@link PersonInput} ({@link PersonInputSerializer}); Jackson writes it into person messages,
 * the properties as their JSON text.
 *
 * @param propertiesDocument the event's final properties, a JSON object, as the event row will hold them
 * @param processPerson false for {@code $process_person_profile: false} events (and events whose distinct id is
 *     illegal): personless
 * @param mergeOther the distinct id an {@code $identify} ({@code $anon_distinct_id}), {@code $create_alias} or
 *     {@code $merge_dangerously} ({@code alias}) asks to merge into this event's person; only set when legal and
 *     different from {@code distinctId}
 * @param set the {@code $set} updates (JSON object), or null
 * @param setOnce the {@code $set_once} updates (JSON object), or null
 * @param unset the {@code $unset} keys (JSON array of strings), or null
 */
public record NormalizedEvent(
        @JsonProperty("uuid") String uuid,
        @JsonProperty("event") String event,
        @JsonProperty("team_id") long teamId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("properties") JsonDocument propertiesDocument,
        @JsonProperty("elements_chain") String elementsChain,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("process_person") boolean processPerson,
        @JsonProperty("merge_other") String mergeOther,
        @JsonProperty("set") String set,
        @JsonProperty("set_once") String setOnce,
        @JsonProperty("unset") String unset) {

    public NormalizedEvent(String uuid, String event, long teamId, String distinctId, long timestamp, long createdAt,
                           String properties, String elementsChain, String sessionId, boolean processPerson,
                           String mergeOther, String set, String setOnce, String unset) {
        this(uuid, event, teamId, distinctId, timestamp, createdAt, JsonDocument.of(properties), elementsChain, sessionId,
                processPerson, mergeOther, set, setOnce, unset);
    }

    /** The event's final properties, a JSON object. */
    public String properties() {
        return propertiesDocument == null ? null : propertiesDocument.text();
    }

    public String key() {
        return DistinctIds.key(teamId, distinctId);
    }
}
