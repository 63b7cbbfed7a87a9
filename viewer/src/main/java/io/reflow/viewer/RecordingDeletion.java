package io.reflow.viewer;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.SessionKeyRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes recordings for real: the data keys of the sessions are destroyed (crypto-shredding: a deletion row that
 * wins in the ReplacingMergeTree, published to the session keys topic first so that ClickHouse reading the topic again
 * does not bring the key back, then written to the table; then the key rows themselves are deleted and the table
 * merged, so the wrapped keys leave ClickHouse's disks), then the sessions' summary rows and console lines are removed with lightweight DELETEs,
 * and, when asked, the events of the session, person or team. The block bytes stay in their batch files on S3 until
 * the lifecycle rule removes them, but nothing can decrypt them any more. Blocks of teams that did not encrypt are
 * only unlisted, not destroyed (docs/PRIVACY.md).
 */
public final class RecordingDeletion {
    /** What to delete: one session, every session of a distinct id or of a person, or all of a team. */
    public enum Scope { SESSION, DISTINCT_ID, PERSON_ID, TEAM }

    /** What was deleted. */
    public record Result(
            @JsonProperty("team_id") long teamId,
            @JsonProperty("scope") String scope,
            @JsonProperty("sessions") int sessions,
            @JsonProperty("keys_destroyed") int keysDestroyed,
            @JsonProperty("key_deletions_published") boolean keyDeletionsPublished,
            @JsonProperty("events_deleted") boolean eventsDeleted) {}

    private final ClickHouseHttp clickhouse;
    private final KeyDeletionRows keyDeletions;
    private final boolean publishes;

    /** {@code keyDeletions}: where deletion rows go besides ClickHouse ({@link KeyDeletionRows#NONE}: nowhere). */
    RecordingDeletion(ClickHouseHttp clickhouse, KeyDeletionRows keyDeletions) {
        this.clickhouse = clickhouse;
        this.keyDeletions = keyDeletions;
        this.publishes = keyDeletions != KeyDeletionRows.NONE;
    }

    /** Deletion in ClickHouse only: key deletion rows are not published to the session keys topic. */
    public static RecordingDeletion over(String url, String user, String password, String database) {
        return new RecordingDeletion(clickhouse(url, user, password, database), KeyDeletionRows.NONE);
    }

    static ClickHouseHttp clickhouse(String url, String user, String password, String database) {
        return new ClickHouseHttp(java.net.URI.create(url.replaceAll("/+$", "")), user, password, database);
    }

    public Result delete(long team, Scope scope, String value, boolean events) {
        if (scope != Scope.TEAM && (value == null || value.isBlank())) {
            throw ApiError.badRequest("missing_value", scope.name().toLowerCase() + " needs a value");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("team", team);
        List<String> distinctIds = switch (scope) {
            case DISTINCT_ID -> List.of(value);
            case PERSON_ID -> distinctIdsOf(team, value);
            default -> List.of();
        };
        List<String> sessions = switch (scope) {
            case SESSION -> List.of(value);
            case DISTINCT_ID, PERSON_ID -> sessionsOf(team, distinctIds);
            case TEAM -> List.of();
        };
        String sessionFilter = scope == Scope.TEAM ? "1" : "session_id IN {sessions:Array(String)}";
        if (scope != Scope.TEAM) {
            params.put("sessions", array(sessions));
        }
        if (scope == Scope.SESSION && !known(team, value)) {
            throw ApiError.notFound("project " + team + " has no session " + value + " (or it was deleted already)");
        }
        int count = sessions.size();
        if (scope == Scope.TEAM) {
            List<JsonNode> n = clickhouse.query("SELECT uniqExact(session_id) AS n FROM session_replay_events WHERE team_id = {team:Int64}", params);
            count = n.isEmpty() ? 0 : n.get(0).get("n").asInt();
        }
        int keys = 0;
        if (scope == Scope.TEAM || !sessions.isEmpty()) {
            keys = destroyKeys(sessionFilter, params);
            clickhouse.query("DELETE FROM session_replay_events WHERE team_id = {team:Int64} AND " + sessionFilter, params);
            clickhouse.query("DELETE FROM log_entries WHERE team_id = {team:Int64} AND log_source = 'session_replay' AND "
                    + sessionFilter.replace("session_id", "log_source_id"), params);
        }
        if (events) {
            deleteEvents(team, scope, sessions, distinctIds, params);
        }
        return new Result(team, scope.name().toLowerCase(), count, keys, publishes && keys > 0, events);
    }

    /**
     * Writes a deletion row for every live key (empty wrapped key, {@code is_deleted = 1}, a higher version): to the
     * session keys topic first (nothing is deleted when that fails), then to the table; then deletes the key rows and
     * merges so the wrapped keys leave the disks.
     */
    private int destroyKeys(String sessionFilter, Map<String, Object> params) {
        String live = "team_id = {team:Int64} AND " + sessionFilter + " AND is_deleted = 0";
        long now = System.currentTimeMillis();
        List<SessionKeyRow> deletions = new ArrayList<>();
        for (JsonNode r : clickhouse.query("""
                SELECT team_id, session_id, key_id, distinct_id, master_key_id, toUnixTimestamp64Milli(created_at) AS created,
                       toUnixTimestamp64Milli(expires_at) AS expires, retention_period_days, version
                FROM session_keys FINAL WHERE\s""" + live, params)) {
            deletions.add(new SessionKeyRow(r.get("team_id").asLong(), r.get("session_id").asText(),
                    r.get("distinct_id").asText(), r.get("key_id").asText(), "", r.get("master_key_id").asText(),
                    r.get("created").asLong(), r.get("expires").asLong(), r.get("retention_period_days").asInt(), 1,
                    Math.max(r.get("version").asLong() + 1, now)));
        }
        if (deletions.isEmpty()) {
            return 0;
        }
        keyDeletions.publish(deletions);
        Map<String, Object> withNow = new LinkedHashMap<>(params);
        withNow.put("now", now);
        // the same rows as on the topic (same version), in the table at once instead of after the Kafka table's flush
        clickhouse.query("""
                INSERT INTO session_keys (team_id, session_id, key_id, distinct_id, wrapped_key, master_key_id, created_at,
                                          expires_at, retention_period_days, is_deleted, version)
                SELECT team_id, session_id, key_id, distinct_id, '', master_key_id, created_at, expires_at,
                       retention_period_days, 1, greatest(version + 1, {now:UInt64})
                FROM session_keys FINAL WHERE\s""" + live, withNow);
        clickhouse.query("DELETE FROM session_keys WHERE team_id = {team:Int64} AND " + sessionFilter + " AND wrapped_key != ''", params);
        clickhouse.query("OPTIMIZE TABLE session_keys FINAL", Map.of());
        return deletions.size();
    }

    private void deleteEvents(long team, Scope scope, List<String> sessions, List<String> distinctIds, Map<String, Object> params) {
        switch (scope) {
            case TEAM -> clickhouse.query("DELETE FROM events WHERE team_id = {team:Int64}", params);
            case SESSION -> clickhouse.query("DELETE FROM events WHERE team_id = {team:Int64} AND session_id IN {sessions:Array(String)}", params);
            case DISTINCT_ID, PERSON_ID -> {
                if (!distinctIds.isEmpty()) {
                    Map<String, Object> p = new LinkedHashMap<>(params);
                    p.put("ids", array(distinctIds));
                    clickhouse.query("DELETE FROM events WHERE team_id = {team:Int64} AND distinct_id IN {ids:Array(String)}", p);
                }
            }
        }
    }

    /** Whether the session still has summary rows or live keys. */
    private boolean known(long team, String session) {
        List<JsonNode> rows = clickhouse.query("""
                SELECT (SELECT count() FROM session_replay_events WHERE team_id = {team:Int64} AND session_id = {session:String})
                     + (SELECT count() FROM session_keys WHERE team_id = {team:Int64} AND session_id = {session:String}
                        AND wrapped_key != '') AS n""", Map.of("team", team, "session", session));
        return !rows.isEmpty() && rows.get(0).get("n").asLong() > 0;
    }

    private List<String> distinctIdsOf(long team, String personId) {
        try {
            java.util.UUID.fromString(personId);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("invalid_person_id", "a person id is a UUID, got '" + personId + "'");
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode r : clickhouse.query("""
                SELECT distinct_id FROM person_distinct_id2 FINAL
                WHERE team_id = {team:Int64} AND person_id = toUUID({person:String}) AND is_deleted = 0""",
                Map.of("team", team, "person", personId))) {
            ids.add(r.get("distinct_id").asText());
        }
        if (ids.isEmpty()) {
            throw ApiError.notFound("project " + team + " has no person " + personId);
        }
        return ids;
    }

    private List<String> sessionsOf(long team, List<String> distinctIds) {
        List<String> sessions = new ArrayList<>();
        for (JsonNode r : clickhouse.query("""
                SELECT DISTINCT session_id FROM (
                    SELECT session_id FROM session_replay_events WHERE team_id = {team:Int64} AND distinct_id IN {ids:Array(String)}
                    UNION ALL
                    SELECT session_id FROM session_keys WHERE team_id = {team:Int64} AND distinct_id IN {ids:Array(String)})
                ORDER BY session_id""", Map.of("team", team, "ids", array(distinctIds)))) {
            sessions.add(r.get("session_id").asText());
        }
        return sessions;
    }

    /** A ClickHouse array literal of strings, for an {@code Array(String)} query parameter. */
    static String array(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (String v : values) {
            if (s.length() > 1) {
                s.append(',');
            }
            s.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        }
        return s.append(']').toString();
    }
}
