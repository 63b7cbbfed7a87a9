package io.reflow.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.reader.BlockRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What ClickHouse knows about a team's recordings: the session list, a session's blocks, its console logs. */
final class SessionCatalog {
    /** Sortable columns of the list, by the name the API takes ({@code order=-start_time} for descending). */
    static final Map<String, String> ORDERS = Map.of(
            "start_time", "start_ms",
            "duration", "duration_ms",
            "click_count", "clicks",
            "keypress_count", "keypresses",
            "console_error_count", "console_errors",
            "size", "size_bytes",
            "active_seconds", "active_ms");
    static final int MAX_LIMIT = 1000;

    private final ClickHouseHttp clickhouse;

    SessionCatalog(ClickHouseHttp clickhouse) {
        this.clickhouse = clickhouse;
    }

    /** One row per session (rows of a session that have not merged yet are folded by the GROUP BY). */
    List<SessionSummary> list(long team, String order, int limit) {
        boolean descending = order.startsWith("-");
        String column = ORDERS.get(descending ? order.substring(1) : order);
        if (column == null) {
            throw ApiError.badRequest("invalid_order", "order must be one of " + ORDERS.keySet() + ", optionally prefixed with '-'"
                    + " for descending; got '" + order + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiError.badRequest("invalid_limit", "limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
        }
        String sql = """
                SELECT session_id,
                       any(distinct_id) AS person_distinct_id,
                       toUnixTimestamp64Milli(min(min_first_timestamp)) AS start_ms,
                       toUnixTimestamp64Milli(max(max_last_timestamp)) AS end_ms,
                       end_ms - start_ms AS duration_ms,
                       argMinMerge(first_url) AS entry_url,
                       sum(click_count) AS clicks,
                       sum(keypress_count) AS keypresses,
                       sum(mouse_activity_count) AS mouse_activity,
                       sum(console_log_count) AS console_logs,
                       sum(console_warn_count) AS console_warns,
                       sum(console_error_count) AS console_errors,
                       sum(size) AS size_bytes,
                       sum(event_count) AS events,
                       sum(active_milliseconds) AS active_ms,
                       length(groupArrayArray(block_urls)) AS blocks
                FROM session_replay_events
                WHERE team_id = {team:Int64}
                GROUP BY session_id
                ORDER BY %s %s, session_id
                LIMIT {limit:UInt32}""".formatted(column, descending ? "DESC" : "ASC");
        List<SessionSummary> sessions = new ArrayList<>();
        for (JsonNode r : clickhouse.query(sql, Map.of("team", team, "limit", limit))) {
            sessions.add(new SessionSummary(r.get("session_id").asText(), r.path("person_distinct_id").asText(""),
                    r.get("start_ms").asLong(), r.get("end_ms").asLong(), r.get("duration_ms").asLong(),
                    r.path("entry_url").isNull() ? null : r.path("entry_url").asText(null),
                    r.get("clicks").asLong(), r.get("keypresses").asLong(), r.get("mouse_activity").asLong(),
                    r.get("console_logs").asLong(), r.get("console_warns").asLong(), r.get("console_errors").asLong(),
                    r.get("size_bytes").asLong(), r.get("events").asLong(), r.get("active_ms").asLong(), r.get("blocks").asInt()));
        }
        return sessions;
    }

    /** The session's blocks with their first/last timestamps; empty when the team has no such session. */
    Optional<List<BlockRef>> blocks(long team, String session) {
        String sql = """
                SELECT groupArrayArray(block_urls) AS urls,
                       arrayMap(t -> toUnixTimestamp64Milli(t), groupArrayArray(block_first_timestamps)) AS firsts,
                       arrayMap(t -> toUnixTimestamp64Milli(t), groupArrayArray(block_last_timestamps)) AS lasts
                FROM session_replay_events
                WHERE team_id = {team:Int64} AND session_id = {session:String}""";
        List<JsonNode> rows = clickhouse.query(sql, Map.of("team", team, "session", session));
        if (rows.isEmpty() || rows.get(0).path("urls").isEmpty()) {
            return Optional.empty();
        }
        JsonNode row = rows.get(0);
        List<String> urls = new ArrayList<>();
        List<Long> firsts = new ArrayList<>();
        List<Long> lasts = new ArrayList<>();
        row.get("urls").forEach(u -> urls.add(u.asText()));
        row.get("firsts").forEach(t -> firsts.add(t.asLong()));
        row.get("lasts").forEach(t -> lasts.add(t.asLong()));
        return Optional.of(BlockRef.fromArrays(urls, firsts, lasts));
    }

    /** The console lines the replay job extracted from the session's recording, oldest first. */
    List<ConsoleLogEntry> console(long team, String session) {
        String sql = """
                SELECT toUnixTimestamp64Milli(timestamp) AS ts, level, message, instance_id
                FROM log_entries
                WHERE team_id = {team:Int64} AND log_source = 'session_replay' AND log_source_id = {session:String}
                ORDER BY timestamp, instance_id
                LIMIT 10000""";
        List<ConsoleLogEntry> entries = new ArrayList<>();
        for (JsonNode r : clickhouse.query(sql, Map.of("team", team, "session", session))) {
            entries.add(new ConsoleLogEntry(r.get("ts").asLong(), r.get("level").asText(), r.get("message").asText(),
                    r.path("instance_id").asText("")));
        }
        return entries;
    }
}
