package io.reflow.schemas;

import io.reflow.contracts.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code ${NAME}} placeholders in migration files. Values are pasted as they are (mostly into string
 * literals), so characters that could end a literal or a statement are refused rather than escaped.
 */
public final class SqlTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    private static final Pattern UNSAFE = Pattern.compile("['\\\\;\\r\\n]");

    private SqlTemplate() {}

    /** Values used when none is given. Topic names follow {@link Topics}; the broker list has no sensible default. */
    public static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("KAFKA_GROUP_PREFIX", "clickhouse_");
        // how long the Kafka engine gathers rows before writing a part (ClickHouse's own default)
        defaults.put("KAFKA_FLUSH_INTERVAL_MS", "7500");
        // the views read the contracts' field names: a format with named fields (JSONEachRow is what the jobs write)
        defaults.put("KAFKA_FORMAT", "JSONEachRow");
        // the engine's kafka_skip_broken_messages (unparseable messages per batch it may skip); with 0 every one of
        // them lands in the *_errors tables (kafka_handle_error_mode = 'stream')
        defaults.put("KAFKA_SKIP_BROKEN_MESSAGES", "0");
        defaults.put("SESSION_REPLAY_EVENTS_TOPIC", Topics.SESSION_REPLAY_EVENTS);
        defaults.put("LOG_ENTRIES_TOPIC", Topics.LOG_ENTRIES);
        defaults.put("SESSION_KEYS_TOPIC", Topics.SESSION_KEYS);
        defaults.put("EVENTS_JSON_TOPIC", Topics.EVENTS_JSON);
        defaults.put("PERSON_TOPIC", Topics.PERSON);
        defaults.put("PERSON_DISTINCT_ID_TOPIC", Topics.PERSON_DISTINCT_ID);
        defaults.put("INGESTION_WARNINGS_TOPIC", Topics.INGESTION_WARNINGS);
        defaults.put("DEAD_LETTER_TOPIC", Topics.DEAD_LETTER);
        // the events topic is the busiest: one consumer per core ClickHouse can spare, at most one per partition
        defaults.put("EVENTS_KAFKA_NUM_CONSUMERS", "1");
        // rows that carry no retention of their own
        defaults.put("INGESTION_WARNINGS_RETENTION_DAYS", "90");
        defaults.put("DEAD_LETTER_RETENTION_DAYS", "30");
        defaults.put("EVENTS_BY_SESSION_RETENTION_DAYS", "1825");
        // sharded variant (CLUSTER has no default: it must name the remote_servers cluster of the deployment)
        defaults.put(ShardedSchema.REPLICATION, "replicated");
        defaults.put(ShardedSchema.COLD_STORAGE, "off");
        defaults.put("COLD_STORAGE_POLICY", "tiered");
        defaults.put("COLD_VOLUME", "cold");
        defaults.put("COLD_AFTER_DAYS", "30");
        return defaults;
    }

    /** {@link #defaults()} overridden by {@code given}. */
    public static Map<String, String> withDefaults(Map<String, String> given) {
        Map<String, String> all = defaults();
        all.putAll(given);
        return all;
    }

    public static String render(String template, Map<String, String> variables, String source) {
        Set<String> missing = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = variables.get(name);
            if (value == null) {
                missing.add(name);
                continue;
            }
            if (UNSAFE.matcher(value).find()) {
                throw new MigrationException("variable " + name + " of " + source
                        + " contains a quote, backslash, semicolon or line break: " + value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        if (!missing.isEmpty()) {
            throw new MigrationException(source + " needs " + String.join(", ", missing) + " (give --var NAME=VALUE)");
        }
        m.appendTail(out);
        return out.toString();
    }
}
