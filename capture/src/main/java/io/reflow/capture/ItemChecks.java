package io.reflow.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.SessionIds;

/** Checks of one item (event or recording) of a request; a failing item is dead-lettered, the rest of the request goes on. */
final class ItemChecks {
    static final int MAX_EVENT_NAME_CHARS = 200;

    private ItemChecks() {}

    static boolean isValidSessionId(JsonNode id) {
        return id != null && id.isTextual() && SessionIds.isValid(id.asText());
    }

    /** Why an analytics event cannot be passed on (a dead-letter reason), or null when it can. */
    static String invalidEvent(JsonNode event) {
        if (!event.isObject()) {
            return "invalid_event";
        }
        JsonNode name = event.get("event");
        if (name == null || name.isNull() || (name.isTextual() && name.asText().isBlank())) {
            return "missing_event_name";
        }
        if (!name.isTextual() || name.asText().length() > MAX_EVENT_NAME_CHARS) {
            return "invalid_event_name";
        }
        JsonNode properties = event.get("properties");
        if (properties != null && !properties.isNull() && !properties.isObject()) {
            return "invalid_properties";
        }
        if (Payload.distinctId(event) == null) {
            return "missing_distinct_id";
        }
        JsonNode sessionId = properties == null ? null : properties.get("$session_id");
        if (sessionId != null && !sessionId.isNull() && !(sessionId.isTextual() && sessionId.asText().isEmpty())
                && !isValidSessionId(sessionId)) {
            return "invalid_session_id";
        }
        return null;
    }

    static String describe(String reason) {
        return switch (reason) {
            case "invalid_event" -> "every event must be a JSON object";
            case "missing_event_name" -> "the event has no \"event\" name";
            case "invalid_event_name" -> "the event name must be a string of at most " + MAX_EVENT_NAME_CHARS + " characters";
            case "invalid_properties" -> "properties must be a JSON object";
            case "missing_distinct_id" -> "the event has no distinct_id";
            case "invalid_session_id" -> "properties.$session_id must be 1-70 characters of A-Z, a-z, 0-9 and '-'";
            default -> reason;
        };
    }
}
