package io.reflow.ops;

import io.reflow.testsupport.flink.FlinkClusterSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * bin/flink-cluster's settings: flags ({@code --rest-port 8081}) win over environment variables
 * ({@code REFLOW_FLINK_REST_PORT=8081}), which win over the defaults; {@code -D key=value} sets any Flink option.
 */
record ClusterOptions(Path dataDir, Path flinkConf, Path overlay, int restPort, String s3Endpoint, Map<String, String> flinkOptions) {
    static final String USAGE = """
            usage: bin/flink-cluster start|stop|status [--data-dir DIR] [--rest-port N] [--conf DIR] [--overlay DIR|none]
                                                       [--s3-endpoint URL] [-D key=value]...
            Every flag can also be set as an environment variable: --rest-port -> REFLOW_FLINK_REST_PORT.
            Defaults: data dir .flink-cluster, REST port 8081, conf flink-conf, overlay flink-conf/local,
            S3 endpoint from the config (the local overlay: http://127.0.0.1:9000, bin/local's S3).
            S3 credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment.""";

    static ClusterOptions parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        Map<String, String> flinkOptions = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (a.startsWith("-D")) {
                String kv = a.length() > 2 ? a.substring(2) : (i + 1 < args.length ? args[++i] : "");
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("-D needs key=value, got '" + kv + "'\n" + USAGE);
                }
                flinkOptions.put(kv.substring(0, eq), kv.substring(eq + 1));
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                flags.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length) {
                flags.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
            }
        }
        for (String known : new String[] {"data-dir", "rest-port", "conf", "overlay", "s3-endpoint"}) {
            String fromEnv = env.get("REFLOW_FLINK_" + known.replace('-', '_').toUpperCase(java.util.Locale.ROOT));
            if (!flags.containsKey(known) && fromEnv != null && !fromEnv.isBlank()) {
                flags.put(known, fromEnv);
            }
        }
        Path conf = Path.of(flags.getOrDefault("conf", "flink-conf")).toAbsolutePath().normalize();
        String overlay = flags.getOrDefault("overlay", conf.resolve("local").toString());
        ClusterOptions options = new ClusterOptions(
                Path.of(flags.getOrDefault("data-dir", ".flink-cluster")).toAbsolutePath().normalize(),
                conf,
                overlay.equals("none") ? null : Path.of(overlay).toAbsolutePath().normalize(),
                port(flags.getOrDefault("rest-port", "8081")),
                flags.get("s3-endpoint"),
                flinkOptions);
        flags.keySet().removeAll(java.util.Set.of("data-dir", "rest-port", "conf", "overlay", "s3-endpoint"));
        if (!flags.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + flags.keySet() + "\n" + USAGE);
        }
        return options;
    }

    private static int port(String value) {
        try {
            int p = Integer.parseInt(value);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port: '" + value + "'\n" + USAGE);
        }
    }

    FlinkClusterSettings settings() {
        Map<String, String> configuration = new LinkedHashMap<>(flinkOptions);
        if (s3Endpoint != null) {
            configuration.put("s3.endpoint", s3Endpoint);
        }
        return new FlinkClusterSettings(flinkConf, overlay, dataDir, restPort, configuration, Map.of());
    }
}
