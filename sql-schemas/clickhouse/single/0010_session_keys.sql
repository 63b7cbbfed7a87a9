-- The keystore of encrypted recordings, single-node variant (docs/PRIVACY.md).
--
-- The replay job gives every session of a team with recording encryption on an AES-256 data key of its own and
-- publishes it, wrapped by the master key (never in the clear), as one io.reflow.contracts.SessionKeyRow to the
-- session keys topic, in the same checkpoint transaction as the summary row of the first block it encrypts. The
-- viewer looks keys up here and unwraps them with the master key.
--
-- Deleting a session destroys its keys (crypto-shredding): a row with is_deleted = 1 and a higher version replaces
-- each key (ReplacingMergeTree(version, is_deleted); read with FINAL), and a lightweight DELETE removes the rows for
-- real. Without its key a block's bytes in S3 are noise: the reader reports it as deleted.
--
-- Keys expire with their retention class: expires_at = created_at + retention days. Readers ignore expired keys at
-- once; the TTL removes their rows at the next merge. So a recording is unreadable from the end of its retention even
-- while the S3 lifecycle rule of its prefix has yet to remove the file.

CREATE TABLE IF NOT EXISTS session_keys
(
    team_id Int64,
    session_id String,
    key_id String,
    distinct_id String CODEC(ZSTD(1)),
    wrapped_key String,
    master_key_id LowCardinality(String),
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    retention_period_days Int64,
    is_deleted UInt8,
    version UInt64,
    INDEX distinct_id_bloom distinct_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (team_id, session_id, key_id)
TTL toDateTime(expires_at) DELETE
SETTINGS index_granularity = 1024;

CREATE TABLE IF NOT EXISTS kafka_session_keys
(
    team_id Int64,
    session_id String,
    key_id String,
    distinct_id Nullable(String),
    wrapped_key String,
    master_key_id String,
    created_at Int64,
    expires_at Int64,
    retention_period_days Int64,
    is_deleted UInt8,
    version UInt64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${SESSION_KEYS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}session_keys',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_keys_mv TO session_keys AS
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
-- a Kafka tombstone (null value, produced when a key is deleted) is no row
WHERE length(_error) = 0 AND wrapped_key != '';

CREATE TABLE IF NOT EXISTS session_keys_errors
(
    received_at DateTime('UTC') DEFAULT now(),
    topic LowCardinality(String),
    partition UInt64,
    offset UInt64,
    kafka_timestamp Nullable(DateTime('UTC')),
    -- never the raw message: it holds a wrapped key
    error String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (topic, partition, offset)
TTL received_at + INTERVAL 30 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_keys_errors_mv TO session_keys_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _error AS error
FROM kafka_session_keys
WHERE length(_error) > 0;
