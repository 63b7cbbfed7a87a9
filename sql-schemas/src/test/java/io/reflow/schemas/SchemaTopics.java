package io.reflow.schemas;

import io.reflow.testsupport.kafka.KafkaExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fresh topic for every Kafka table of the bundled migrations. A test that applies all migrations should point every
 * Kafka table at a topic that exists: in chDB all Kafka tables share two consumer threads, and a table whose topic is
 * missing holds one for ~15 s at a time ("Unknown topic or partition"), so rows of the other tables wait up to a minute.
 */
final class SchemaTopics {
    static final List<String> VARIABLES = List.of("SESSION_REPLAY_EVENTS_TOPIC", "LOG_ENTRIES_TOPIC", "EVENTS_JSON_TOPIC",
            "PERSON_TOPIC", "PERSON_DISTINCT_ID_TOPIC", "INGESTION_WARNINGS_TOPIC", "DEAD_LETTER_TOPIC", "SESSION_KEYS_TOPIC");
    /** The topics of Kafka tables that migrations after {@link ReleasedText#LAST_EDITED_VERSION} added. */
    static final List<String> ADDED_AFTER_EDIT = List.of("SESSION_KEYS_TOPIC");

    private SchemaTopics() {}

    /** Variable name to fresh topic name, one partition each (a row sent last then arrives last). */
    static Map<String, String> fresh(KafkaExtension kafka) {
        Map<String, String> topics = new LinkedHashMap<>();
        for (String variable : VARIABLES) {
            topics.put(variable, kafka.freshTopic(variable.toLowerCase(Locale.ROOT), 1));
        }
        return topics;
    }
}
