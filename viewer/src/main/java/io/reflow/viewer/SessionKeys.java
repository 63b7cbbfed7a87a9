package io.reflow.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.crypto.BlockKeys;
import io.reflow.contracts.crypto.DataKey;
import io.reflow.contracts.crypto.MasterKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The data keys of one session from the keystore ({@code session_keys}), unwrapped with the master key. Deleted keys
 * (tombstones) and expired keys are not returned, so their blocks read as deleted. Keys are fetched per request and
 * never logged.
 */
public final class SessionKeys {
    private final ClickHouseHttp clickhouse;
    private final Optional<MasterKey> master;

    SessionKeys(ClickHouseHttp clickhouse, Optional<MasterKey> master) {
        this.clickhouse = clickhouse;
        this.master = master;
    }

    BlockKeys forSession(long team, String session) {
        String sql = """
                SELECT key_id, wrapped_key
                FROM session_keys FINAL
                WHERE team_id = {team:Int64} AND session_id = {session:String}
                  AND is_deleted = 0 AND wrapped_key != '' AND expires_at > now64(3)""";
        List<JsonNode> rows = clickhouse.query(sql, Map.of("team", team, "session", session));
        if (rows.isEmpty()) {
            return BlockKeys.none();
        }
        MasterKey key = master.orElseThrow(() -> new ApiError(503, "no_master_key", "the recording of " + session
                + " is encrypted and the viewer has no master key (" + MasterKey.ENV + " or " + MasterKey.FILE_ENV + ")"));
        List<DataKey> keys = new ArrayList<>();
        for (JsonNode row : rows) {
            try {
                keys.add(key.unwrap(row.get("wrapped_key").asText(), UUID.fromString(row.get("key_id").asText()), team, session));
            } catch (IllegalArgumentException e) {
                throw new ApiError(500, "key_unwrap_failed", "a data key of " + session + " does not open with the configured"
                        + " master key " + key.id() + " (was it rotated?)");
            }
        }
        return BlockKeys.of(keys);
    }
}
