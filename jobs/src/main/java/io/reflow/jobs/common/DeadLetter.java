package io.reflow.jobs.common;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.reflow.contracts.Json;
import java.nio.charset.StandardCharsets;

/** A record the job could not process, with the reason, for the dead-letter topic. */
public record DeadLetter(
        @JsonProperty("stage") String stage,
        @JsonProperty("reason") String reason,
        @JsonProperty("detail") String detail,
        @JsonProperty("source_topic") String sourceTopic,
        @JsonProperty("source_partition") int sourcePartition,
        @JsonProperty("source_offset") long sourceOffset,
        @JsonProperty("team_id") Long teamId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("payload") String payload) {

    static final int MAX_PAYLOAD_CHARS = 100_000;

    public static DeadLetter of(String stage, String reason, String detail, ConsumedRecord from, Long teamId,
                                String sessionId, String payload) {
        String p = payload == null ? null
                : payload.length() > MAX_PAYLOAD_CHARS ? payload.substring(0, MAX_PAYLOAD_CHARS) : payload;
        return new DeadLetter(stage, reason, detail, from.topic(), from.partition(), from.offset(), teamId, sessionId, p);
    }

    public static DeadLetter ofRecord(String stage, String reason, String detail, ConsumedRecord from) {
        String payload = from.value() == null ? null : new String(from.value(), StandardCharsets.UTF_8);
        return of(stage, reason, detail, from, null, null, payload);
    }

    public KeyedBytes toKafka() {
        return new KeyedBytes(sessionId, Json.encode(this));
    }
}
