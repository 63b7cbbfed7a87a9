package io.reflow.capture;

import java.util.Map;
import java.util.Objects;

/**
 * One record capture wants written: topic, key (may be null), value bytes and string headers.
 * Header names capture sets are the {@code HEADER_*} constants.
 */
public record SinkRecord(String topic, String key, byte[] value, Map<String, String> headers) {
    public static final String HEADER_TEAM_ID = "team_id";
    public static final String HEADER_SESSION_ID = "session_id";
    public static final String HEADER_TOKEN = "token";
    public static final String HEADER_DISTINCT_ID = "distinct_id";
    public static final String HEADER_REASON = "reason";

    public SinkRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(value, "value");
        headers = Map.copyOf(headers);
    }
}
