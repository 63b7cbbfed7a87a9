package io.reflow.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One session data key in the keystore ({@code session_keys} in ClickHouse, fed from {@link Topics#SESSION_KEYS}),
 * wrapped by the master key ({@link io.reflow.contracts.crypto.MasterKey}); never the key itself. The replay job
 * publishes a row when it generates a key, in the checkpoint that commits the first block encrypted with it.
 * {@code expires_at} is when the key dies with its retention class (created + retention days): after it, the
 * session's blocks read as deleted even while their files are still on S3. Deletion writes a row with
 * {@code is_deleted = 1} and a higher {@code version}, which wins in the ReplacingMergeTree.
 * Times are epoch milliseconds.
 */
public record SessionKeyRow(
        @JsonProperty("team_id") long teamId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("distinct_id") String distinctId,
        @JsonProperty("key_id") String keyId,
        @JsonProperty("wrapped_key") String wrappedKey,
        @JsonProperty("master_key_id") String masterKeyId,
        @JsonProperty("created_at") long createdAt,
        @JsonProperty("expires_at") long expiresAt,
        @JsonProperty("retention_period_days") int retentionPeriodDays,
        @JsonProperty("is_deleted") int isDeleted,
        @JsonProperty("version") long version) {

    @Override
    public String toString() {
        return "SessionKeyRow[team " + teamId + ", session " + sessionId + ", key " + keyId + ", wrapped key hidden]";
    }
}
