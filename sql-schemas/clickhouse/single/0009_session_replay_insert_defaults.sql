-- Defaults for the two aggregate states of session_replay_events whose argument is LowCardinality.
--
-- An INSERT that leaves out snapshot_source or snapshot_library (a backfill, a repair, a test writing a few columns)
-- failed: ClickHouse 26.x fills a missing AggregateFunction(argMin, LowCardinality(Nullable(String)), …) column with
-- a state typed without the LowCardinality and then refuses to cast it ("Cannot insert field with type
-- AggregateFunction(argMin, Nullable(String), …)"). An explicit default avoids that path. Aggregate functions are not
-- allowed in a DEFAULT, initializeAggregation is: an argMin state of NULL, which argMinMerge skips like an absent
-- block. The view fed by Kafka writes both columns, so rows from Kafka are unchanged.

ALTER TABLE session_replay_events
    MODIFY COLUMN snapshot_source DEFAULT
        initializeAggregation('argMinState', CAST(NULL, 'LowCardinality(Nullable(String))'), toDateTime64(0, 3, 'UTC')),
    MODIFY COLUMN snapshot_library DEFAULT
        initializeAggregation('argMinState', CAST(NULL, 'LowCardinality(Nullable(String))'), toDateTime64(0, 3, 'UTC'));
