-- Every Reflow topic as a Flink SQL table, for ad-hoc operations with the SQL client (bin/flink-sql runs this file
-- first, as the client's init file). Each table reads a topic from its first offset to the end it has when the
-- query starts (bounded), committed records only, so every query is a batch query that finishes; the tables
-- that end in _redrive write to the jobs' input topics.
--
-- @param KAFKA_BOOTSTRAP_SERVERS = 127.0.0.1:9092: the brokers
-- @param RECORDINGS_TOPIC = session_recording_snapshot_item_events: capture -> replay job
-- @param EVENTS_TOPIC = events_plugin_ingestion: capture -> events job
-- @param DEAD_LETTER_TOPIC = ingestion_dead_letter_queue: capture's and the jobs' dead letters
-- @param SESSION_REPLAY_EVENTS_TOPIC = clickhouse_session_replay_events: one summary row per committed block
-- @param LOG_ENTRIES_TOPIC = log_entries: console logs of recordings
-- @param EVENTS_JSON_TOPIC = clickhouse_events_json: enriched events
-- @param PERSON_TOPIC = clickhouse_person: person versions
-- @param PERSON_DISTINCT_ID_TOPIC = clickhouse_person_distinct_id: distinct id -> person versions
-- @param INGESTION_WARNINGS_TOPIC = clickhouse_ingestion_warnings: ingestion warnings
-- @param PERSON_MERGES_TOPIC = events_person_merges: the events job's internal merge feedback topic

SET 'execution.runtime-mode' = 'batch';
SET 'sql-client.execution.result-mode' = 'tableau';
SET 'table.dml-sync' = 'true';
SET 'table.local-time-zone' = 'UTC';
-- block urls and dead-letter details are long
SET 'table.display.max-column-width' = '200';

-- capture -> replay job: one $snapshot item (contracts RecordingMessage), key session_id
CREATE TEMPORARY TABLE recordings (
  `team_id` BIGINT,
  `session_id` STRING,
  `window_id` STRING,
  `distinct_id` STRING,
  `snapshot_source` STRING,
  `snapshot_library` STRING,
  `received_at_ms` BIGINT,
  `sent_at` STRING,
  `retention` STRING,
  -- each rrweb event as its JSON text
  `events` ARRAY<STRING>,
  `kafka_partition` INT METADATA FROM 'partition' VIRTUAL,
  `kafka_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `received_at` AS TO_TIMESTAMP_LTZ(`received_at_ms`, 3),
  WATERMARK FOR `received_at` AS `received_at` - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${RECORDINGS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- capture -> events job: one analytics event (contracts CapturedEvent), key token:distinct_id
CREATE TEMPORARY TABLE events (
  `uuid` STRING,
  `distinct_id` STRING,
  `team_id` BIGINT,
  `token` STRING,
  `ip` STRING,
  `now` STRING,
  `received_at_ms` BIGINT,
  `sent_at` STRING,
  -- the event as the client sent it (JSON text): JSON_VALUE(`event`, '$.event') is its name
  `event` STRING,
  `kafka_partition` INT METADATA FROM 'partition' VIRTUAL,
  `kafka_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `received_at` AS TO_TIMESTAMP_LTZ(`received_at_ms`, 3),
  WATERMARK FOR `received_at` AS `received_at` - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = '${EVENTS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- Dead letters. Two producers, two shapes, one table with the union of their fields:
--   capture (source = 'capture'): endpoint, reason, detail, team_id, token, received_at_ms, payload = the client's item;
--   the jobs (stage = 'replay-decode', 'events-normalize', 'events-person', ...): reason, detail, source_topic,
--   source_partition, source_offset, team_id, session_id, payload = the consumed record's value, as text.
-- `origin` names the producer: capture, or the job stage.
CREATE TEMPORARY TABLE dead_letters (
  `source` STRING,
  `stage` STRING,
  `endpoint` STRING,
  `reason` STRING,
  `detail` STRING,
  `team_id` BIGINT,
  `token` STRING,
  `received_at_ms` BIGINT,
  `source_topic` STRING,
  `source_partition` INT,
  `source_offset` BIGINT,
  `session_id` STRING,
  `payload` STRING,
  `kafka_partition` INT METADATA FROM 'partition' VIRTUAL,
  `kafka_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `kafka_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `origin` AS COALESCE(`stage`, `source`, 'unknown')
) WITH (
  'connector' = 'kafka',
  'topic' = '${DEAD_LETTER_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- replay job -> ClickHouse: one row per committed block (contracts SessionBlockSummary); timestamps in epoch ms
CREATE TEMPORARY TABLE session_replay_events (
  `team_id` BIGINT,
  `session_id` STRING,
  `distinct_id` STRING,
  `first_timestamp` BIGINT,
  `last_timestamp` BIGINT,
  `block_url` STRING,
  `first_url` STRING,
  `urls` ARRAY<STRING>,
  `click_count` BIGINT,
  `keypress_count` BIGINT,
  `mouse_activity_count` BIGINT,
  `active_milliseconds` BIGINT,
  `console_log_count` BIGINT,
  `console_warn_count` BIGINT,
  `console_error_count` BIGINT,
  `size` BIGINT,
  `event_count` BIGINT,
  `message_count` BIGINT,
  `snapshot_source` STRING,
  `snapshot_library` STRING,
  `retention_period_days` INT,
  `kafka_timestamp` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL
) WITH (
  'connector' = 'kafka',
  'topic' = '${SESSION_REPLAY_EVENTS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- replay job -> ClickHouse: console log lines of recordings (contracts LogEntry)
CREATE TEMPORARY TABLE log_entries (
  `team_id` BIGINT,
  `session_id` STRING,
  `log_source` STRING,
  `log_source_id` STRING,
  `instance_id` STRING,
  `timestamp` BIGINT,
  `level` STRING,
  `message` STRING,
  `retention_period_days` INT
) WITH (
  'connector' = 'kafka',
  'topic' = '${LOG_ENTRIES_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- events job -> ClickHouse: enriched events (contracts EnrichedEvent); properties are JSON text
CREATE TEMPORARY TABLE events_json (
  `uuid` STRING,
  `event` STRING,
  `properties` STRING,
  `timestamp` BIGINT,
  `team_id` BIGINT,
  `distinct_id` STRING,
  `elements_chain` STRING,
  `created_at` BIGINT,
  `session_id` STRING,
  `person_id` STRING,
  `person_properties` STRING,
  `person_created_at` BIGINT,
  `person_mode` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${EVENTS_JSON_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- events job -> ClickHouse: every version of every person (contracts PersonRow)
CREATE TEMPORARY TABLE persons (
  `id` STRING,
  `team_id` BIGINT,
  `properties` STRING,
  `is_identified` INT,
  `created_at` BIGINT,
  `version` BIGINT,
  `is_deleted` INT
) WITH (
  'connector' = 'kafka',
  'topic' = '${PERSON_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- events job -> ClickHouse: which person a distinct id belongs to, versioned (contracts PersonDistinctIdRow)
CREATE TEMPORARY TABLE person_distinct_ids (
  `team_id` BIGINT,
  `distinct_id` STRING,
  `person_id` STRING,
  `version` BIGINT,
  `is_deleted` INT
) WITH (
  'connector' = 'kafka',
  'topic' = '${PERSON_DISTINCT_ID_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- events job -> ClickHouse: ingestion warnings (contracts IngestionWarning); details is JSON text
CREATE TEMPORARY TABLE ingestion_warnings (
  `team_id` BIGINT,
  `source` STRING,
  `type` STRING,
  `details` STRING,
  `timestamp` BIGINT
) WITH (
  'connector' = 'kafka',
  'topic' = '${INGESTION_WARNINGS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  'json.ignore-parse-errors' = 'true'
);

-- the events job's own feedback topic (second halves of merges): internal, read as raw text only
CREATE TEMPORARY TABLE person_merges (
  `kafka_key` STRING,
  `message` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${PERSON_MERGES_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'key.format' = 'raw',
  'key.fields' = 'kafka_key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'
);

-- Re-drive targets: the jobs' input topics written with the record's own key and value bytes as text, as capture
-- writes them (recordings keyed by session_id, events by token:distinct_id).
CREATE TEMPORARY TABLE recordings_redrive (
  `kafka_key` STRING,
  `value` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${RECORDINGS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'key.format' = 'raw',
  'key.fields' = 'kafka_key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'sink.delivery-guarantee' = 'at-least-once'
);

CREATE TEMPORARY TABLE events_redrive (
  `kafka_key` STRING,
  `value` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = '${EVENTS_TOPIC}',
  'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP_SERVERS}',
  'key.format' = 'raw',
  'key.fields' = 'kafka_key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY',
  'sink.delivery-guarantee' = 'at-least-once'
);
