package io.reflow.testsupport.flink;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to start a {@link FlinkCluster}.
 *
 * @param flinkConf a Flink conf dir holding {@code config.yaml} and {@code log4j.properties} (the repo's {@code flink-conf/})
 * @param overlay a dir whose {@code config.yaml} replaces keys of the first one (e.g. {@code flink-conf/local}), or null
 * @param dataDir where the generated conf dir, plugins, logs, temp files and RocksDB files go
 * @param restPort the REST/web UI port, or 0 for a free one
 * @param configuration keys that replace both files' (checkpoint dirs, S3 endpoint, ...)
 * @param environment variables every Flink process gets (S3 credentials: {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY})
 */
public record FlinkClusterSettings(
        Path flinkConf,
        Path overlay,
        Path dataDir,
        int restPort,
        Map<String, String> configuration,
        Map<String, String> environment) {

    public FlinkClusterSettings {
        configuration = Map.copyOf(configuration);
        environment = Map.copyOf(environment);
    }

    /** The repo's config with its local overlay, on a free REST port, no extra settings. */
    public static FlinkClusterSettings local(Path flinkConf, Path dataDir) {
        return new FlinkClusterSettings(flinkConf, flinkConf.resolve("local"), dataDir, 0, Map.of(), Map.of());
    }

    public FlinkClusterSettings withConfiguration(String key, String value) {
        Map<String, String> c = new LinkedHashMap<>(configuration);
        c.put(key, value);
        return new FlinkClusterSettings(flinkConf, overlay, dataDir, restPort, c, environment);
    }

    /** Points Flink's S3 filesystem at {@code endpoint}; the keys reach the processes as environment variables. */
    public FlinkClusterSettings withS3(String endpoint, String accessKey, String secretKey) {
        Map<String, String> c = new LinkedHashMap<>(configuration);
        c.put("s3.endpoint", endpoint);
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.put("AWS_ACCESS_KEY_ID", accessKey);
        e.put("AWS_SECRET_ACCESS_KEY", secretKey);
        return new FlinkClusterSettings(flinkConf, overlay, dataDir, restPort, c, e);
    }

    public FlinkClusterSettings withRestPort(int port) {
        return new FlinkClusterSettings(flinkConf, overlay, dataDir, port, configuration, environment);
    }
}
