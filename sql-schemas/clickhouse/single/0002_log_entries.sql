-- Console logs of session recordings, single-node variant (PostHog's log_entries shape).
--
-- The replay job publishes one JSON row (io.reflow.contracts.LogEntry, timestamp in epoch milliseconds) per distinct
-- level + message of every committed recording block, transactionally and in the same checkpoint as the block's
-- summary row, so rows arrive exactly once. A Kafka engine table reads them (read_committed, librdkafka's default)
-- and a materialized view copies them into log_entries, a plain MergeTree: no Replacing engine is needed to absorb
-- duplicates, and PostHog's ReplacingMergeTree over (source, instance, timestamp) would fold two different messages
-- of the same millisecond into one.
--
-- log_source is 'session_replay' and log_source_id the session id; instance_id is the browser window ('' when the
-- recording had none). level is info, warn or error. message holds at most 3000 characters.
--
-- Rows expire with the recording they came from: each row carries its team's retention (retention_period_days, as in
-- the summary rows) and the TTL deletes it that many days after its timestamp (a row already past it when consumed
-- is not stored; others go when parts merge).
--
-- A message that does not parse lands in log_entries_errors with its position and the parse error, as in 0001.
--
-- A session's console, as the player shows it:
--   SELECT timestamp, level, message, instance_id FROM log_entries
--   WHERE team_id = 1 AND log_source = 'session_replay' AND log_source_id = '<session id>' ORDER BY timestamp
-- Sessions with a given error (the sorting key starts with team_id and log_source; monthly partitions prune dates):
--   SELECT DISTINCT log_source_id FROM log_entries WHERE team_id = 1 AND log_source = 'session_replay'
--     AND level = 'error' AND timestamp >= now() - INTERVAL 7 DAY AND positionCaseInsensitive(message, 'timeout') > 0

CREATE TABLE IF NOT EXISTS log_entries
(
    team_id Int64,
    log_source LowCardinality(String),
    log_source_id String,
    instance_id String,
    timestamp DateTime64(6, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    level LowCardinality(String),
    message String CODEC(ZSTD(3)),
    retention_period_days UInt16,
    -- when the row reached Kafka: ingestion lag is _timestamp - timestamp
    _timestamp DateTime('UTC') CODEC(DoubleDelta, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, log_source, log_source_id, instance_id, timestamp)
TTL toDateTime(timestamp) + toIntervalDay(retention_period_days);

CREATE TABLE IF NOT EXISTS kafka_log_entries
(
    team_id Int64,
    log_source LowCardinality(String),
    log_source_id String,
    instance_id Nullable(String),
    timestamp Int64,
    level LowCardinality(String),
    message String,
    retention_period_days Nullable(UInt16)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${LOG_ENTRIES_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}log_entries',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    -- session_id (same as log_source_id) and fields the producer may add later
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS log_entries_mv TO log_entries AS
SELECT
    team_id,
    log_source,
    log_source_id,
    ifNull(instance_id, '') AS instance_id,
    fromUnixTimestamp64Milli(timestamp, 'UTC') AS timestamp,
    level,
    message,
    -- a producer that does not say keeps rows for the shortest retention class
    ifNull(retention_period_days, 30) AS retention_period_days,
    ifNull(toDateTime(_timestamp, 'UTC'), now()) AS _timestamp
FROM kafka_log_entries
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS log_entries_errors
(
    received_at DateTime('UTC') DEFAULT now(),
    topic LowCardinality(String),
    partition UInt64,
    offset UInt64,
    kafka_timestamp Nullable(DateTime('UTC')),
    raw_message String CODEC(ZSTD(3)),
    error String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (topic, partition, offset)
TTL received_at + INTERVAL 30 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS log_entries_errors_mv TO log_entries_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_log_entries
WHERE length(_error) > 0;
