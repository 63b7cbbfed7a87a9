-- Ingestion warnings, single-node variant.
--
-- Things a team should know about its data that did not stop ingestion (an illegal distinct id, a merge refused
-- because both persons are identified, ...): io.reflow.contracts.IngestionWarning rows from the warnings topic,
-- details as JSON text, timestamp in epoch milliseconds. Read per team, newest first, by type:
--   SELECT type, count(), max(timestamp) FROM ingestion_warnings WHERE team_id = 1 AND timestamp > now() - INTERVAL 7 DAY
--   GROUP BY type
-- The rows carry no retention of their own: they are kept ${INGESTION_WARNINGS_RETENTION_DAYS} days.

CREATE TABLE IF NOT EXISTS ingestion_warnings
(
    team_id Int64,
    source LowCardinality(String),
    type LowCardinality(String),
    details String CODEC(ZSTD(3)),
    timestamp DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    _timestamp DateTime('UTC') CODEC(T64, ZSTD(1)),
    _offset UInt64 CODEC(T64, ZSTD(1)),
    _partition UInt64 CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toStartOfHour(timestamp), type, source, timestamp)
TTL toDateTime(timestamp) + INTERVAL ${INGESTION_WARNINGS_RETENTION_DAYS} DAY;

CREATE TABLE IF NOT EXISTS kafka_ingestion_warnings
(
    team_id Int64,
    source String,
    type String,
    details String,
    timestamp Int64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${INGESTION_WARNINGS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}ingestion_warnings',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingestion_warnings_mv TO ingestion_warnings AS
SELECT
    team_id,
    source,
    type,
    details,
    fromUnixTimestamp64Milli(timestamp, 'UTC') AS timestamp,
    toDateTime(ifNull(_timestamp, now()), 'UTC') AS _timestamp,
    _offset,
    _partition
FROM kafka_ingestion_warnings
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS ingestion_warnings_errors
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

CREATE MATERIALIZED VIEW IF NOT EXISTS ingestion_warnings_errors_mv TO ingestion_warnings_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_ingestion_warnings
WHERE length(_error) > 0;
