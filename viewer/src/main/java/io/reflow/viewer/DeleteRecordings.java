package io.reflow.viewer;

import io.reflow.contracts.Json;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/delete-recordings --team T (--session S | --distinct-id D | --person-id P | --all) [--events]}: deletes
 * recordings for real ({@link RecordingDeletion}) and prints what it did as JSON. ClickHouse from
 * {@code CLICKHOUSE_URL} (or {@code --clickhouse-url}), {@code CLICKHOUSE_USER}, {@code CLICKHOUSE_PASSWORD},
 * {@code CLICKHOUSE_DATABASE}; the session keys topic's deletion rows go to {@code KAFKA_BOOTSTRAP_SERVERS} (or
 * {@code --kafka-bootstrap-servers}), topic {@code SESSION_KEYS_TOPIC} ({@code clickhouse_session_keys}); without
 * Kafka settings the keys are destroyed in ClickHouse only. Exit status 0 done, 2 bad arguments, 1 failed.
 */
public final class DeleteRecordings {
    private static final String USAGE = "usage: delete-recordings --team T (--session S | --distinct-id D | --person-id P | --all)"
            + " [--events] [--clickhouse-url URL] [--kafka-bootstrap-servers HOST:PORT]";

    private DeleteRecordings() {}

    /** What the command line asks for. */
    record Request(long team, RecordingDeletion.Scope scope, String value, boolean events, Optional<String> clickhouseUrl,
                   Optional<String> kafkaBootstrapServers) {
        static Request parse(String... args) {
            Long team = null;
            RecordingDeletion.Scope scope = null;
            String value = null;
            boolean events = false;
            String url = null;
            String kafka = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--team" -> team = parseTeam(next(args, ++i, a));
                    case "--session", "--distinct-id", "--person-id" -> {
                        if (scope != null) {
                            throw new IllegalArgumentException("give one of --session, --distinct-id, --person-id, --all");
                        }
                        scope = switch (a) {
                            case "--session" -> RecordingDeletion.Scope.SESSION;
                            case "--distinct-id" -> RecordingDeletion.Scope.DISTINCT_ID;
                            default -> RecordingDeletion.Scope.PERSON_ID;
                        };
                        value = next(args, ++i, a);
                    }
                    case "--all" -> {
                        if (scope != null) {
                            throw new IllegalArgumentException("give one of --session, --distinct-id, --person-id, --all");
                        }
                        scope = RecordingDeletion.Scope.TEAM;
                    }
                    case "--events" -> events = true;
                    case "--clickhouse-url" -> url = next(args, ++i, a);
                    case "--kafka-bootstrap-servers" -> kafka = next(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (team == null || scope == null) {
                throw new IllegalArgumentException("--team and one of --session, --distinct-id, --person-id, --all are required");
            }
            return new Request(team, scope, value, events, Optional.ofNullable(url), Optional.ofNullable(kafka));
        }

        private static String next(String[] args, int i, String flag) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        private static long parseTeam(String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--team is a number, got '" + text + "'");
            }
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Runs the command with these arguments and environment; the exit status. */
    public static int run(String[] args, Map<String, String> env) {
        Request request;
        try {
            request = Request.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        return run(request, env);
    }

    static int run(Request request, Map<String, String> env) {
        String url = request.clickhouseUrl().orElse(env.get("CLICKHOUSE_URL"));
        if (url == null || url.isBlank()) {
            System.err.println("CLICKHOUSE_URL (or --clickhouse-url) is required");
            return 2;
        }
        String user = env.getOrDefault("CLICKHOUSE_USER", "default");
        String password = env.getOrDefault("CLICKHOUSE_PASSWORD", "");
        String database = env.getOrDefault("CLICKHOUSE_DATABASE", "default");
        Optional<String> kafka = request.kafkaBootstrapServers()
                .or(() -> Optional.ofNullable(env.get("KAFKA_BOOTSTRAP_SERVERS")).filter(s -> !s.isBlank()));
        if (kafka.isEmpty()) {
            System.err.println("KAFKA_BOOTSTRAP_SERVERS (or --kafka-bootstrap-servers) is not set: keys are destroyed in"
                    + " ClickHouse only, and ClickHouse reading the session keys topic again would bring them back");
        }
        String topic = env.getOrDefault("SESSION_KEYS_TOPIC", io.reflow.contracts.Topics.SESSION_KEYS);
        try (KeyDeletionRows.KafkaKeyDeletionRows producer = kafka.map(k -> KeyDeletionRows.kafka(k, topic)).orElse(null)) {
            RecordingDeletion deletion = new RecordingDeletion(RecordingDeletion.clickhouse(url, user, password, database),
                    producer == null ? KeyDeletionRows.NONE : producer);
            RecordingDeletion.Result result = deletion.delete(request.team(), request.scope(), request.value(), request.events());
            System.out.println(new String(Json.encode(result), java.nio.charset.StandardCharsets.UTF_8));
            return 0;
        } catch (ApiError e) {
            System.err.println("deletion failed: " + e.getMessage());
            return 1;
        }
    }
}
