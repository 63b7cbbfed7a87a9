-- Recordings expire with their retention, single-node variant.
--
-- Every summary row carries the retention of its team's class (30, 90, 365 or 1825 days; rows from before the
-- field existed count as 30). A row of session_replay_events is deleted, in a merge, once its first block is older
-- than that; the block files in S3 expire by the lifecycle rule of their <retention> prefix at the same age.
-- Applying this to a table that already holds data rewrites TTL information of its existing parts in the
-- background (materialize_ttl_after_modify), once.

ALTER TABLE session_replay_events
    MODIFY TTL toDateTime(min_first_timestamp) + toIntervalDay(ifNull(retention_period_days, 30));
