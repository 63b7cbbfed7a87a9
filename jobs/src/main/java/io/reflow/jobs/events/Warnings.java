package io.reflow.jobs.events;

import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Ingestion warnings of the events job, with PostHog's type names where PostHog has one. */
public final class Warnings {
    public static final String SOURCE = "reflow-events";

    public static final String ILLEGAL_DISTINCT_ID = "illegal_distinct_id";
    public static final String CANNOT_MERGE_ILLEGAL = "cannot_merge_with_illegal_distinct_id";
    public static final String CANNOT_MERGE_IDENTIFIED = "cannot_merge_already_identified";
    public static final String PERSONLESS_MERGE_EVENT = "invalid_event_when_process_person_profile_is_false";
    public static final String INVALID_PROCESS_PERSON_PROFILE = "invalid_process_person_profile";
    public static final String INVALID_EVENT_UUID = "invalid_event_uuid";
    public static final String EVENT_NAME_TRUNCATED = "event_name_truncated";
    public static final String PERSON_ROUTING_FAILED = "person_routing_failed";
    public static final String PERSON_PROPERTIES_SIZE_VIOLATION = "person_properties_size_violation";
    public static final String MESSAGE_SIZE_TOO_LARGE = "message_size_too_large";
    public static final String GROUP_KEY_TOO_LONG = "group_key_too_long";
    public static final String INVALID_GROUP_SET = "invalid_group_set";

    private Warnings() {}

    /** {@code details} as alternating key, value pairs. */
    public static IngestionWarning of(long teamId, String type, long timestamp, Object... details) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < details.length; i += 2) {
            map.put(String.valueOf(details[i]), details[i + 1]);
        }
        return of(teamId, type, timestamp, map);
    }

    public static IngestionWarning of(long teamId, String type, long timestamp, Map<String, Object> details) {
        return new IngestionWarning(teamId, SOURCE, type, new String(Json.encode(details), StandardCharsets.UTF_8), timestamp);
    }
}
