-- How many committed records every topic holds, and the newest record's time where the topic carries one.
SELECT 'recordings' AS `table`, COUNT(*) AS records FROM recordings
UNION ALL SELECT 'events', COUNT(*) FROM events
UNION ALL SELECT 'dead_letters', COUNT(*) FROM dead_letters
UNION ALL SELECT 'session_replay_events', COUNT(*) FROM session_replay_events
UNION ALL SELECT 'log_entries', COUNT(*) FROM log_entries
UNION ALL SELECT 'events_json', COUNT(*) FROM events_json
UNION ALL SELECT 'persons', COUNT(*) FROM persons
UNION ALL SELECT 'person_distinct_ids', COUNT(*) FROM person_distinct_ids
UNION ALL SELECT 'ingestion_warnings', COUNT(*) FROM ingestion_warnings
UNION ALL SELECT 'person_merges', COUNT(*) FROM person_merges;
