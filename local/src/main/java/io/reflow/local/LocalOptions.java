package io.reflow.local;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * bin/local's settings: flags ({@code --kafka-port 9092}) win over environment variables
 * ({@code REFLOW_KAFKA_PORT=9092}), which win over the defaults. {@code --kafka}, {@code --s3-endpoint}
 * and {@code --clickhouse-url} point at existing servers instead of starting embedded ones.
 */
public record LocalOptions(
        Path dataDir,
        int kafkaPort,
        int s3Port,
        int clickhousePort,
        int flinkUiPort,
        int capturePort,
        int viewerPort,
        String externalKafka,
        String externalS3Endpoint,
        String externalClickhouseUrl,
        String s3AccessKey,
        String s3SecretKey,
        String bucket) {

    static final String USAGE = """
            usage: bin/local [--data-dir DIR] [--kafka-port N] [--s3-port N] [--clickhouse-port N]
                             [--flink-ui-port N] [--capture-port N] [--viewer-port N]
                             [--kafka HOST:PORT] [--s3-endpoint URL --s3-access-key K --s3-secret-key S]
                             [--clickhouse-url http://HOST:PORT] [--bucket NAME]
            Every flag can also be set as an environment variable: --kafka-port -> REFLOW_KAFKA_PORT.
            Defaults: data dir .local, Kafka 9092, S3 9000, ClickHouse HTTP 8123, Flink UI 8081, capture 8010,
            viewer (session list, player, demo page) 8020.""";

    public static LocalOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
            }
            flags.put(name, value);
        }
        Settings s = new Settings(flags, env);
        LocalOptions options = new LocalOptions(
                Path.of(s.get("data-dir", ".local")).toAbsolutePath().normalize(),
                s.port("kafka-port", 9092),
                s.port("s3-port", 9000),
                s.port("clickhouse-port", 8123),
                s.port("flink-ui-port", 8081),
                s.port("capture-port", 8010),
                s.port("viewer-port", 8020),
                s.get("kafka", null),
                s.get("s3-endpoint", null),
                s.get("clickhouse-url", null),
                s.get("s3-access-key", "reflow-local"),
                s.get("s3-secret-key", "reflow-local-secret"),
                s.get("bucket", "reflow"));
        flags.keySet().removeAll(Settings.KNOWN);
        if (!flags.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + flags.keySet() + "\n" + USAGE);
        }
        return options;
    }

    private record Settings(Map<String, String> flags, Map<String, String> env) {
        static final java.util.Set<String> KNOWN = java.util.Set.of("data-dir", "kafka-port", "s3-port", "clickhouse-port",
                "flink-ui-port", "capture-port", "viewer-port", "kafka", "s3-endpoint", "clickhouse-url", "s3-access-key", "s3-secret-key", "bucket");

        String get(String name, String defaultValue) {
            String v = flags.get(name);
            if (v == null) {
                v = env.get("REFLOW_" + name.replace('-', '_').toUpperCase(Locale.ROOT));
            }
            return v == null || v.isBlank() ? defaultValue : v;
        }

        int port(String name, int defaultValue) {
            String v = get(name, null);
            if (v == null) {
                return defaultValue;
            }
            try {
                int port = Integer.parseInt(v.trim());
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be a port number (0 = any free port), was '" + v + "'");
            }
        }
    }
}
