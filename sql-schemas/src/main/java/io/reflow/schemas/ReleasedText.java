package io.reflow.schemas;

import java.util.regex.Pattern;

/**
 * Migrations 0001–0008 were released with the Kafka format ({@code kafka_format = 'JSONEachRow'}) written out and
 * without {@code kafka_skip_broken_messages}; both became variables later ({@code KAFKA_FORMAT},
 * {@code KAFKA_SKIP_BROKEN_MESSAGES}), an edit that changes nothing a database has (the Kafka tables themselves are
 * re-pointed to the current settings by {@link KafkaTables}). Databases that applied the released text recorded its
 * checksum, so the migrator accepts it too: the released text is the current one without that edit. Nothing else
 * in those files may change, and later migrations are never edited after release at all.
 */
final class ReleasedText {
    /** The last version released before the Kafka settings became variables. */
    static final int LAST_EDITED_VERSION = 8;
    private static final String FORMAT = "kafka_format = '${KAFKA_FORMAT}',";
    private static final Pattern SKIP_BROKEN_LINE = Pattern.compile("(?m)^[ \\t]*kafka_skip_broken_messages = \\$\\{KAFKA_SKIP_BROKEN_MESSAGES},\\n");

    private ReleasedText() {}

    /** The text {@code version} was released with, given its current template. */
    static String of(int version, String template) {
        if (version > LAST_EDITED_VERSION) {
            return template;
        }
        return SKIP_BROKEN_LINE.matcher(template.replace(FORMAT, "kafka_format = 'JSONEachRow',")).replaceAll("");
    }
}
