-- Session replay summaries, single-node variant.
--
-- The replay job publishes one JSON row per committed recording block (io.reflow.contracts.SessionBlockSummary,
-- timestamps in epoch milliseconds) to the summary topic, transactionally. A Kafka engine table reads them
-- (librdkafka's default isolation.level is read_committed, so rows of aborted transactions are never seen), a
-- materialized view folds each consumed batch into one row per session, and session_replay_events
-- (AggregatingMergeTree) keeps folding rows of the same session as parts merge.
--
-- A message that does not parse does not stop the stream and does not vanish either: it lands in
-- session_replay_events_errors with its topic, partition, offset, raw text and the parse error
-- (kafka_handle_error_mode = 'stream'; kafka_skip_broken_messages would drop it without a trace).
--
-- Read it aggregated, as merges are eventual:
--   SELECT session_id, min(min_first_timestamp), max(max_last_timestamp), groupArrayArray(block_urls),
--          argMinMerge(first_url), sum(click_count), ... FROM session_replay_events
--   WHERE team_id = 1 AND min_first_timestamp >= today() - 7 GROUP BY session_id
--
-- Sorting key (team_id, toDate(min_first_timestamp), session_id): the replay list ("a team's sessions in a date
-- range") prunes on the key and monthly partitions. The price: rows of a session whose blocks start on either side
-- of midnight UTC may keep two rows that never merge, which the GROUP BY above absorbs. Looking a session up by id
-- alone (a player fetching its blocks) is served by the bloom filter on session_id and the small granules.

CREATE TABLE IF NOT EXISTS session_replay_events
(
    team_id Int64,
    session_id String,
    distinct_id SimpleAggregateFunction(any, String) CODEC(ZSTD(1)),
    min_first_timestamp SimpleAggregateFunction(min, DateTime64(3, 'UTC')) CODEC(Delta, ZSTD(1)),
    max_last_timestamp SimpleAggregateFunction(max, DateTime64(3, 'UTC')) CODEC(Delta, ZSTD(1)),
    -- one entry per block, index-aligned with block_urls
    block_first_timestamps SimpleAggregateFunction(groupArrayArray, Array(DateTime64(3, 'UTC'))) CODEC(ZSTD(1)),
    block_last_timestamps SimpleAggregateFunction(groupArrayArray, Array(DateTime64(3, 'UTC'))) CODEC(ZSTD(1)),
    block_urls SimpleAggregateFunction(groupArrayArray, Array(String)) CODEC(ZSTD(3)),
    first_url AggregateFunction(argMin, Nullable(String), DateTime64(3, 'UTC')) CODEC(ZSTD(3)),
    all_urls SimpleAggregateFunction(groupUniqArrayArray, Array(String)) CODEC(ZSTD(3)),
    click_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    keypress_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    mouse_activity_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    active_milliseconds SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    console_log_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    console_warn_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    console_error_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    size SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    event_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    message_count SimpleAggregateFunction(sum, Int64) CODEC(T64, ZSTD(1)),
    snapshot_source AggregateFunction(argMin, LowCardinality(Nullable(String)), DateTime64(3, 'UTC')),
    snapshot_library AggregateFunction(argMin, LowCardinality(Nullable(String)), DateTime64(3, 'UTC')),
    retention_period_days SimpleAggregateFunction(max, Nullable(Int64)),
    -- when the newest block of the row reached Kafka: ingestion lag is now() - _timestamp
    _timestamp SimpleAggregateFunction(max, DateTime('UTC')),
    INDEX session_id_bloom session_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(min_first_timestamp)
ORDER BY (team_id, toDate(min_first_timestamp), session_id)
SETTINGS index_granularity = 512;

CREATE TABLE IF NOT EXISTS kafka_session_replay_events
(
    team_id Int64,
    session_id String,
    distinct_id String,
    first_timestamp Int64,
    last_timestamp Int64,
    block_url String,
    first_url Nullable(String),
    urls Array(String),
    click_count Int64,
    keypress_count Int64,
    mouse_activity_count Int64,
    active_milliseconds Int64,
    console_log_count Int64,
    console_warn_count Int64,
    console_error_count Int64,
    size Int64,
    event_count Int64,
    message_count Int64,
    snapshot_source LowCardinality(Nullable(String)),
    snapshot_library LowCardinality(Nullable(String)),
    retention_period_days Nullable(Int64)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${SESSION_REPLAY_EVENTS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}session_replay_events',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    -- the producer may add fields before this table knows them
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_replay_events_mv TO session_replay_events AS
SELECT
    team_id,
    session_id,
    any(distinct_id) AS distinct_id,
    min(fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS min_first_timestamp,
    max(fromUnixTimestamp64Milli(last_timestamp, 'UTC')) AS max_last_timestamp,
    groupArray(fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS block_first_timestamps,
    groupArray(fromUnixTimestamp64Milli(last_timestamp, 'UTC')) AS block_last_timestamps,
    groupArray(block_url) AS block_urls,
    argMinState(first_url, fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS first_url,
    groupUniqArrayArray(urls) AS all_urls,
    sum(click_count) AS click_count,
    sum(keypress_count) AS keypress_count,
    sum(mouse_activity_count) AS mouse_activity_count,
    sum(active_milliseconds) AS active_milliseconds,
    sum(console_log_count) AS console_log_count,
    sum(console_warn_count) AS console_warn_count,
    sum(console_error_count) AS console_error_count,
    sum(size) AS size,
    sum(event_count) AS event_count,
    sum(message_count) AS message_count,
    argMinState(snapshot_source, fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS snapshot_source,
    argMinState(snapshot_library, fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS snapshot_library,
    max(retention_period_days) AS retention_period_days,
    max(toDateTime(_timestamp, 'UTC')) AS _timestamp
FROM kafka_session_replay_events
WHERE length(_error) = 0
GROUP BY team_id, session_id;

CREATE TABLE IF NOT EXISTS session_replay_events_errors
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

CREATE MATERIALIZED VIEW IF NOT EXISTS session_replay_events_errors_mv TO session_replay_events_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_session_replay_events
WHERE length(_error) > 0;
