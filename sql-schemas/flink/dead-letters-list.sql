-- The dead letters of one reason (and team), oldest first, with where each came from: what to look at before
-- re-driving them (dead-letters-redrive.sql takes the same selection).
--
-- @param REASON: the reason, as dead-letters-by-reason.sql lists it
-- @param TEAM_ID = *: a team id, or * for all teams
-- @param FROM_OFFSET = 0: first dead-letter offset to list
-- @param TO_OFFSET = 9223372036854775807: last dead-letter offset to list
-- @param LIMIT = 100: at most this many rows

SELECT
  `kafka_partition`,
  `kafka_offset`,
  `kafka_timestamp`,
  `origin`,
  `team_id`,
  COALESCE(`session_id`, '') AS session_id,
  COALESCE(`source_topic` || '/' || CAST(`source_partition` AS STRING) || '@' || CAST(`source_offset` AS STRING), `endpoint`) AS came_from,
  `detail`,
  SUBSTRING(`payload`, 1, 200) AS payload_start
FROM dead_letters
WHERE `reason` = '${REASON}'
  AND ('${TEAM_ID}' = '*' OR `team_id` = CAST('${TEAM_ID}' AS BIGINT))
  AND `kafka_offset` BETWEEN CAST('${FROM_OFFSET}' AS BIGINT) AND CAST('${TO_OFFSET}' AS BIGINT)
ORDER BY `kafka_timestamp`, `kafka_partition`, `kafka_offset`
LIMIT ${LIMIT};
