-- Per team and time window: captured events (and distinct ids sending them) and recordings (messages, rrweb events,
-- sessions), by the time capture received them. Windows are tumbling, WINDOW_MINUTES long, over everything the
-- topics still hold (their retention).
--
-- @param WINDOW_MINUTES = 60: window length in minutes
-- @param TEAM_ID = *: a team id, or * for all teams

CREATE TEMPORARY VIEW event_volumes AS
SELECT `team_id`, window_start, window_end, COUNT(*) AS events, COUNT(DISTINCT `distinct_id`) AS distinct_ids
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(`received_at`), INTERVAL '${WINDOW_MINUTES}' MINUTE))
GROUP BY `team_id`, window_start, window_end;

CREATE TEMPORARY VIEW recording_volumes AS
SELECT `team_id`, window_start, window_end, COUNT(*) AS recording_messages,
       SUM(CARDINALITY(`events`)) AS rrweb_events, COUNT(DISTINCT `session_id`) AS sessions
FROM TABLE(TUMBLE(TABLE recordings, DESCRIPTOR(`received_at`), INTERVAL '${WINDOW_MINUTES}' MINUTE))
GROUP BY `team_id`, window_start, window_end;

SELECT
  COALESCE(e.`team_id`, r.`team_id`) AS team_id,
  COALESCE(e.window_start, r.window_start) AS window_start,
  COALESCE(e.window_end, r.window_end) AS window_end,
  COALESCE(e.events, 0) AS events,
  COALESCE(e.distinct_ids, 0) AS distinct_ids,
  COALESCE(r.recording_messages, 0) AS recording_messages,
  COALESCE(r.rrweb_events, 0) AS rrweb_events,
  COALESCE(r.sessions, 0) AS sessions
FROM event_volumes e
FULL OUTER JOIN recording_volumes r ON e.`team_id` = r.`team_id` AND e.window_start = r.window_start
WHERE '${TEAM_ID}' = '*' OR COALESCE(e.`team_id`, r.`team_id`) = CAST('${TEAM_ID}' AS BIGINT)
ORDER BY window_start, team_id;
