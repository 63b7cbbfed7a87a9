-- One session's recording blocks, in time order: where each block is (block_url: s3://bucket/key?range=bytes=START-END,
-- one ranged GET each) and what it holds. What a player (or io.reflow.contracts.reader.SessionRecordingReader) reads.
--
-- @param SESSION_ID: the session id
-- @param TEAM_ID = *: its team id, or * when the session id is unique enough

SELECT
  `team_id`,
  `session_id`,
  TO_TIMESTAMP_LTZ(`first_timestamp`, 3) AS first_event,
  TO_TIMESTAMP_LTZ(`last_timestamp`, 3) AS last_event,
  `event_count`,
  `message_count`,
  `size` AS uncompressed_bytes,
  `block_url`
FROM session_replay_events
WHERE `session_id` = '${SESSION_ID}'
  AND ('${TEAM_ID}' = '*' OR `team_id` = CAST('${TEAM_ID}' AS BIGINT))
ORDER BY `first_timestamp`, `block_url`;
