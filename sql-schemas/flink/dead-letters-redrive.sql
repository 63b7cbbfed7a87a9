-- Re-drives chosen dead letters written by the jobs back to their source topic (recordings or events), with the
-- key capture gives such records, once the cause is fixed (a limit raised, a bug deployed away). The jobs then
-- process them as new records. Selection: reason, team and a dead-letter offset range, as dead-letters-list.sql
-- shows them. Capture's own dead letters hold the client's item, not a Kafka record: they cannot be re-driven.
-- Re-driving the same selection twice sends the records twice.
--
-- @param REASON: the reason of the dead letters to re-drive
-- @param TEAM_ID = *: a team id, or * for all teams
-- @param FROM_OFFSET = 0: first dead-letter offset to re-drive
-- @param TO_OFFSET = 9223372036854775807: last dead-letter offset to re-drive
-- @param RECORDINGS_TOPIC = session_recording_snapshot_item_events: the topic recordings dead letters came from
-- @param EVENTS_TOPIC = events_plugin_ingestion: the topic events dead letters came from

CREATE TEMPORARY VIEW chosen_dead_letters AS
SELECT `source_topic`, `payload`
FROM dead_letters
WHERE `reason` = '${REASON}'
  AND `stage` IS NOT NULL
  AND `payload` IS NOT NULL
  AND ('${TEAM_ID}' = '*' OR `team_id` = CAST('${TEAM_ID}' AS BIGINT))
  AND `kafka_offset` BETWEEN CAST('${FROM_OFFSET}' AS BIGINT) AND CAST('${TO_OFFSET}' AS BIGINT);

EXECUTE STATEMENT SET
BEGIN
  INSERT INTO recordings_redrive
  SELECT JSON_VALUE(`payload`, '$.session_id'), `payload`
  FROM chosen_dead_letters WHERE `source_topic` = '${RECORDINGS_TOPIC}';
  INSERT INTO events_redrive
  SELECT JSON_VALUE(`payload`, '$.token') || ':' || JSON_VALUE(`payload`, '$.distinct_id'), `payload`
  FROM chosen_dead_letters WHERE `source_topic` = '${EVENTS_TOPIC}';
END;

SELECT `source_topic`, COUNT(*) AS redriven FROM chosen_dead_letters GROUP BY `source_topic`;
