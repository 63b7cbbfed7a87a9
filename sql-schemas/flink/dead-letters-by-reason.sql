-- The dead-letter topic by producer (capture, or the job stage), reason and team: how many, since when, until when,
-- and one example detail. Narrow it with TEAM_ID (default: all teams).
--
-- @param TEAM_ID = *: a team id, or * for all teams

SELECT
  `origin`,
  `reason`,
  `team_id`,
  COUNT(*) AS records,
  MIN(`kafka_timestamp`) AS first_seen,
  MAX(`kafka_timestamp`) AS last_seen,
  MIN(`kafka_offset`) AS first_offset,
  MAX(`kafka_offset`) AS last_offset,
  MAX(`detail`) AS example_detail
FROM dead_letters
WHERE '${TEAM_ID}' = '*' OR `team_id` = CAST('${TEAM_ID}' AS BIGINT)
GROUP BY `origin`, `reason`, `team_id`
ORDER BY records DESC, `origin`, `reason`, `team_id`;
