-- Persons and distinct ids, single-node variant.
--
-- The events job keeps person state in Flink and publishes every change as a whole new version:
--   * io.reflow.contracts.PersonRow to the person topic -> person;
--   * io.reflow.contracts.PersonDistinctIdRow to the distinct-id topic -> person_distinct_id2 (every mapping) and
--     person_distinct_id_overrides (only rows with version > 0: a distinct id moved to another person by a merge,
--     as PostHog does). Events carry the person_id of the time they were processed; queries that must follow
--     merges join the (small) overrides table instead of the (large) distinct-id table:
--       SELECT ..., if(o.person_id != toUUID('00000000-0000-0000-0000-000000000000'), o.person_id, e.person_id)
--       FROM events e LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id
--                                FROM person_distinct_id_overrides WHERE team_id = 1 GROUP BY distinct_id) o
--            USING distinct_id WHERE e.team_id = 1 ...
--
-- All three are ReplacingMergeTree(version, is_deleted): merges keep the highest version of each key, and
-- SELECT ... FINAL returns it and hides it when that version is a deletion (a person merged away, a distinct id
-- removed). Deleted rows stay on disk until OPTIMIZE ... FINAL CLEANUP; they are small.
--
-- One Kafka table per topic; the distinct-id topic feeds two views from one consumer group, so both tables see
-- exactly the same rows. Nothing here expires: persons live as long as the team.

CREATE TABLE IF NOT EXISTS person
(
    id UUID,
    team_id Int64,
    properties String CODEC(ZSTD(3)),
    -- the same properties as a JSON column: every property is a subcolumn, so a filter on one
    -- (properties_json.plan::Nullable(String) = 'pro') reads that property only instead of parsing every row's text
    -- (4 ms instead of 15 ms for 75,000 persons; the column costs ~19 bytes per person). Keys with dots are nested
    -- paths (properties_json.`utm.source`); text that is not a JSON object becomes {} rather than failing the insert.
    properties_json JSON MATERIALIZED if(isValidJSON(properties) AND startsWith(trimLeft(properties), '{'), properties, '{}')::JSON,
    is_identified UInt8,
    created_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    version UInt64,
    is_deleted UInt8,
    _timestamp DateTime('UTC') CODEC(T64, ZSTD(1)),
    _offset UInt64 CODEC(T64, ZSTD(1)),
    _partition UInt64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (team_id, id);

CREATE TABLE IF NOT EXISTS kafka_person
(
    id UUID,
    team_id Int64,
    properties String,
    is_identified UInt8,
    created_at Int64,
    version Int64,
    is_deleted UInt8
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${PERSON_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}person',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS person_mv TO person AS
SELECT
    id,
    team_id,
    properties,
    is_identified,
    fromUnixTimestamp64Milli(created_at, 'UTC') AS created_at,
    toUInt64(greatest(version, 0)) AS version,
    is_deleted,
    toDateTime(ifNull(_timestamp, now()), 'UTC') AS _timestamp,
    _offset,
    _partition
FROM kafka_person
WHERE length(_error) = 0;

CREATE TABLE IF NOT EXISTS person_errors
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

CREATE MATERIALIZED VIEW IF NOT EXISTS person_errors_mv TO person_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_person
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS person_distinct_id2
(
    team_id Int64,
    distinct_id String,
    person_id UUID,
    is_deleted UInt8,
    version UInt64,
    _timestamp DateTime('UTC') CODEC(T64, ZSTD(1)),
    _offset UInt64 CODEC(T64, ZSTD(1)),
    _partition UInt64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (team_id, distinct_id)
-- point lookups (which person is this distinct id) read one small granule
SETTINGS index_granularity = 512;

CREATE TABLE IF NOT EXISTS person_distinct_id_overrides
(
    team_id Int64,
    distinct_id String,
    person_id UUID,
    is_deleted UInt8,
    version UInt64,
    _timestamp DateTime('UTC') CODEC(T64, ZSTD(1)),
    _offset UInt64 CODEC(T64, ZSTD(1)),
    _partition UInt64 CODEC(ZSTD(1))
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (team_id, distinct_id)
SETTINGS index_granularity = 512;

CREATE TABLE IF NOT EXISTS kafka_person_distinct_id
(
    team_id Int64,
    distinct_id String,
    person_id UUID,
    version Int64,
    is_deleted UInt8
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${PERSON_DISTINCT_ID_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP_PREFIX}person_distinct_id',
    kafka_format = '${KAFKA_FORMAT}',
    kafka_handle_error_mode = 'stream',
    kafka_skip_broken_messages = ${KAFKA_SKIP_BROKEN_MESSAGES},
    kafka_num_consumers = 1,
    kafka_flush_interval_ms = ${KAFKA_FLUSH_INTERVAL_MS},
    input_format_skip_unknown_fields = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS person_distinct_id2_mv TO person_distinct_id2 AS
SELECT
    team_id,
    distinct_id,
    person_id,
    is_deleted,
    toUInt64(greatest(version, 0)) AS version,
    toDateTime(ifNull(_timestamp, now()), 'UTC') AS _timestamp,
    _offset,
    _partition
FROM kafka_person_distinct_id
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS person_distinct_id_overrides_mv TO person_distinct_id_overrides AS
SELECT
    team_id,
    distinct_id,
    person_id,
    is_deleted,
    toUInt64(version) AS version,
    toDateTime(ifNull(_timestamp, now()), 'UTC') AS _timestamp,
    _offset,
    _partition
FROM kafka_person_distinct_id
WHERE length(_error) = 0 AND version > 0;

CREATE TABLE IF NOT EXISTS person_distinct_id_errors
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

CREATE MATERIALIZED VIEW IF NOT EXISTS person_distinct_id_errors_mv TO person_distinct_id_errors AS
SELECT
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _timestamp AS kafka_timestamp,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_person_distinct_id
WHERE length(_error) > 0;
