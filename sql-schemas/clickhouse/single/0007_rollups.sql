-- Rollups for instant dashboards and for filtering recordings by events, single-node variant.
--
-- Each is a materialized view on a Kafka table created earlier, so it sees what the base table sees from now on
-- (not the rows consumed before it existed), and is folded further by its AggregatingMergeTree as parts merge.
-- Always read them aggregated (sum(...) for the sums, uniqMerge(...) for the uniq states, GROUP BY the key):
--
--   session_replay_hourly: per team and hour, the sessions that recorded in that hour (a session crossing an hour
--     counts in both), their blocks, events, active time, clicks, console errors, bytes. From the summary rows.
--       SELECT hour, uniqMerge(sessions), sum(active_milliseconds) FROM session_replay_hourly
--       WHERE team_id = 1 AND hour >= now() - INTERVAL 7 DAY GROUP BY hour ORDER BY hour
--   events_hourly: per team, event name and hour, the events, their persons and sessions.
--       SELECT hour, sum(events) FROM events_hourly WHERE team_id = 1 AND hour >= now() - INTERVAL 30 DAY
--       GROUP BY hour ORDER BY hour
--   events_by_session: per team, event name, day and session, how often and when the event happened and whose
--     session it was. "Recordings in which $purchase happened" reads a key range of this small table instead of
--     the team's events:
--       SELECT session_id FROM events_by_session WHERE team_id = 1 AND event = '$purchase' AND day >= today() - 7
--
-- The counts are of rows delivered by Kafka: a message redelivered before the events job's output was deduplicated
-- counts twice here while events (ReplacingMergeTree) keeps it once. Exact counts come from events FINAL.
-- The replay rollup keeps each row for the longest retention among its sessions. events_hourly is small and kept
-- like events (no TTL). events_by_session is only useful while the recordings it points at exist; events carry no
-- retention, so it is kept ${EVENTS_BY_SESSION_RETENTION_DAYS} days (default: the longest recording retention class).

CREATE TABLE IF NOT EXISTS session_replay_hourly
(
    team_id Int64,
    hour DateTime('UTC'),
    sessions AggregateFunction(uniq, String),
    blocks SimpleAggregateFunction(sum, UInt64),
    event_count SimpleAggregateFunction(sum, Int64),
    active_milliseconds SimpleAggregateFunction(sum, Int64),
    click_count SimpleAggregateFunction(sum, Int64),
    console_error_count SimpleAggregateFunction(sum, Int64),
    size SimpleAggregateFunction(sum, Int64),
    retention_period_days SimpleAggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (team_id, hour)
TTL hour + toIntervalDay(retention_period_days);

CREATE MATERIALIZED VIEW IF NOT EXISTS session_replay_hourly_mv TO session_replay_hourly AS
SELECT
    team_id,
    toStartOfHour(fromUnixTimestamp64Milli(first_timestamp, 'UTC')) AS hour,
    uniqState(session_id) AS sessions,
    toUInt64(count()) AS blocks,
    sum(event_count) AS event_count,
    sum(active_milliseconds) AS active_milliseconds,
    sum(click_count) AS click_count,
    sum(console_error_count) AS console_error_count,
    sum(size) AS size,
    max(ifNull(retention_period_days, 30)) AS retention_period_days
FROM kafka_session_replay_events
WHERE length(_error) = 0
GROUP BY team_id, hour;

CREATE TABLE IF NOT EXISTS events_hourly
(
    team_id Int64,
    event LowCardinality(String),
    hour DateTime('UTC'),
    events SimpleAggregateFunction(sum, UInt64),
    persons AggregateFunction(uniq, UUID),
    sessions AggregateFunction(uniq, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (team_id, event, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_hourly_mv TO events_hourly AS
SELECT
    team_id,
    event,
    toStartOfHour(fromUnixTimestamp64Milli(timestamp, 'UTC')) AS hour,
    toUInt64(count()) AS events,
    uniqState(person_id) AS persons,
    uniqStateIf(session_id, session_id != '') AS sessions
FROM kafka_events_json
WHERE length(_error) = 0
GROUP BY team_id, event, hour;

CREATE TABLE IF NOT EXISTS events_by_session
(
    team_id Int64,
    event LowCardinality(String),
    day Date,
    -- ZSTD instead of the default LZ4 halves this table (66 -> 36 bytes per row on the benchmark's data)
    session_id String CODEC(ZSTD(1)),
    events SimpleAggregateFunction(sum, UInt64) CODEC(T64, ZSTD(1)),
    first_timestamp SimpleAggregateFunction(min, DateTime64(3, 'UTC')) CODEC(T64, ZSTD(1)),
    last_timestamp SimpleAggregateFunction(max, DateTime64(3, 'UTC')) CODEC(T64, ZSTD(1)),
    person_id SimpleAggregateFunction(anyLast, UUID) CODEC(ZSTD(1)),
    distinct_id SimpleAggregateFunction(anyLast, String) CODEC(ZSTD(1))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (team_id, event, day, session_id)
TTL day + INTERVAL ${EVENTS_BY_SESSION_RETENTION_DAYS} DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS events_by_session_mv TO events_by_session AS
SELECT
    team_id,
    event,
    toDate(fromUnixTimestamp64Milli(timestamp, 'UTC')) AS day,
    session_id,
    toUInt64(count()) AS events,
    min(fromUnixTimestamp64Milli(timestamp, 'UTC')) AS first_timestamp,
    max(fromUnixTimestamp64Milli(timestamp, 'UTC')) AS last_timestamp,
    anyLast(person_id) AS person_id,
    anyLast(distinct_id) AS distinct_id
FROM kafka_events_json
WHERE length(_error) = 0 AND session_id != ''
GROUP BY team_id, event, day, session_id;
