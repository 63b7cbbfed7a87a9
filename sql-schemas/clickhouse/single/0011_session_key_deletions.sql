-- Key deletion rows from the session keys topic (docs/PRIVACY.md "Deleting").
--
-- Deleting a session publishes, for each of its keys, a deletion row to the session keys topic (same key id, empty
-- wrapped key, is_deleted = 1, a higher version) before writing the same row into session_keys. On the topic the
-- deletion row comes after the key row it replaces, so a ClickHouse that reads the topic again (a new replica, a
-- reset consumer group, a database rebuilt from the topics) ends with the deletion winning in the
-- ReplacingMergeTree instead of bringing the key back. session_keys_mv (0010) lets only rows with a wrapped key in;
-- this view lets in the deletion rows.

CREATE MATERIALIZED VIEW IF NOT EXISTS session_key_deletions_mv TO session_keys AS
SELECT
    team_id,
    session_id,
    key_id,
    ifNull(distinct_id, '') AS distinct_id,
    wrapped_key,
    master_key_id,
    fromUnixTimestamp64Milli(created_at, 'UTC') AS created_at,
    fromUnixTimestamp64Milli(expires_at, 'UTC') AS expires_at,
    retention_period_days,
    is_deleted,
    version
FROM kafka_session_keys
WHERE length(_error) = 0 AND wrapped_key = '' AND is_deleted = 1;
