package io.reflow.contracts;

/** Default Kafka topic names. They follow PostHog's names so operators recognise them; every one is configurable. */
public final class Topics {
    public static final String RECORDINGS = "session_recording_snapshot_item_events";
    public static final String EVENTS = "events_plugin_ingestion";
    public static final String DEAD_LETTER = "ingestion_dead_letter_queue";
    public static final String SESSION_REPLAY_EVENTS = "clickhouse_session_replay_events";
    public static final String LOG_ENTRIES = "log_entries";
    /** Wrapped per-session data keys of encrypted recordings; compacted, keyed by key id (see docs/PRIVACY.md). */
    public static final String SESSION_KEYS = "clickhouse_session_keys";
    public static final String EVENTS_JSON = "clickhouse_events_json";
    public static final String PERSON = "clickhouse_person";
    public static final String PERSON_DISTINCT_ID = "clickhouse_person_distinct_id";
    public static final String INGESTION_WARNINGS = "clickhouse_ingestion_warnings";
    /** Second halves of identify/alias merges, routed to the subtask that owns the other distinct id. */
    public static final String PERSON_MERGES = "events_person_merges";

    private Topics() {}
}
