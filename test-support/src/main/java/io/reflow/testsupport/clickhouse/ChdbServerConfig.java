package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * The ClickHouse server configuration chDB boots with. librdkafka gets the broker's minimum session timeout and
 * a static group membership (group.instance.id) derived from the data directory: a server restarted on the same
 * data takes over its old consumer's partitions at once instead of waiting ~45 s for the broker to expire it,
 * while two servers on different data directories never fence each other.
 *
 * <p>chDB reads the {@code kafka} and {@code logger} sections of this file but takes its time zone from the TZ
 * environment variable and its log level from {@code --log-level}.
 */
final class ChdbServerConfig {
    static final int KAFKA_SESSION_TIMEOUT_MS = 6000;

    private ChdbServerConfig() {}

    static Path write(Path dataDir, Path file) throws IOException {
        String xml = """
                <clickhouse>
                    <logger>
                        <console>1</console>
                    </logger>
                    <kafka>
                        <session_timeout_ms>%d</session_timeout_ms>
                        <heartbeat_interval_ms>1000</heartbeat_interval_ms>
                        <group_instance_id>%s</group_instance_id>
                    </kafka>
                </clickhouse>
                """.formatted(KAFKA_SESSION_TIMEOUT_MS, groupInstanceId(dataDir));
        Files.createDirectories(file.getParent());
        Files.writeString(file, xml, StandardCharsets.UTF_8);
        return file;
    }

    static String groupInstanceId(Path dataDir) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return "reflow-chdb-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
