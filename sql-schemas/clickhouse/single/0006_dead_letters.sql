-- The dead-letter topic, single-node variant.
--
-- Two producers write it today, with different shapes (to be unified into one contract):
--   capture (io.reflow.capture.DeadLetter): source='capture', endpoint, reason, detail, team_id, token,
--     received_at_ms, payload (the offending item as JSON, or null when too large to keep);
--   the jobs (io.reflow.jobs.common.DeadLetter): stage, reason, detail, source_topic, source_partition,
--     source_offset, team_id (may be null), session_id, payload (text, cut at 100,000 characters).
-- dead_letters holds their union: what one shape lacks is NULL. A payload that is JSON (capture) is kept as its
-- JSON text. received_at is capture's receive time, or when the job's dead letter reached Kafka.
-- Rows carry no retention: they are kept ${DEAD_LETTER_RETENTION_DAYS} days, long enough to inspect and re-drive.
--   SELECT source, stage, reason, count() FROM dead_letters WHERE received_at > now() - INTERVAL 1 DAY GROUP BY ALL

CREATE TABLE IF NOT EXISTS dead_letters
(
    received_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    source LowCardinality(String),
    stage LowCardinality(Nullable(String)),
    endpoint LowCardinality(Nullable(String)),
    reason LowCardinality(String),
    detail String CODEC(ZSTD(3)),
    team_id Nullable(Int64),
    token Nullable(String) CODEC(ZSTD(1)),
    session_id Nullable(String) CODEC(ZSTD(1)),
    source_topic LowCardinality(Nullable(String)),
    source_partition Nullable(Int32),
    source_offset Nullable(Int64),
    payload Nullable(String) CODEC(ZSTD(3)),
    -- where the dead letter itself sits in Kafka, to re-drive it
    _timestamp DateTime('UTC') CODEC(T64, ZSTD(1)),
    _partition UInt64 CODEC(ZSTD(1)),
    _offset UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (toDate(received_at), source, reason, received_at)
TTL toDateTime(received_at) + INTERVAL ${DEAD_LETTER_RETENTION_DAYS} DAY;

CREATE TABLE IF NOT EXISTS kafka_dead_letters
(
    source Nullable(String),
    stage Nullable(String),
    endpoint Nullable(String),
    reason String,
    detail Nullable(String),
    team_id Nullable(Int64),
    token Nullable(String),
    session_id Nullable(String),
    received_at_ms Nullable(Int64),
    source_topic Nullable(String),
    source_partition Nullable(Int32),
    source_offset Nullable(Int64),
    payload Nullable(String)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${DEAD_LETTER_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}dead_letters',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    input_format_skip_unknown_fields = 1,
    -- capture's payload is a JSON value, the jobs' a string: both land in the String column as text
    input_format_json_read_objects_as_strings = 1,
    input_format_json_read_arrays_as_strings = 1,
    input_format_json_read_numbers_as_strings = 1,
    input_format_json_read_bools_as_strings = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS dead_letters_mv TO dead_letters AS
SELECT
    coalesce(if(received_at_ms > 0, fromUnixTimestamp64Milli(received_at_ms, 'UTC'), NULL), _timestamp_ms,
             now64(3, 'UTC')) AS received_at,
    coalesce(source, if(stage IS NULL, 'unknown', 'job')) AS source,
    stage,
    endpoint,
    reason,
    ifNull(detail, '') AS detail,
    team_id,
    token,
    session_id,
    source_topic,
    source_partition,
    source_offset,
    payload,
    toDateTime(ifNull(_timestamp, now()), 'UTC') AS _timestamp,
    _partition,
    _offset
FROM kafka_dead_letters
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS dead_letters_errors
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

CREATE MATERIALIZED VIEW IF NOT EXISTS dead_letters_errors_mv TO dead_letters_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_dead_letters
WHERE length(_error) > 0;
