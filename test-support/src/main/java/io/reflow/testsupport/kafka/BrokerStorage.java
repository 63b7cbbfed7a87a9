package io.reflow.testsupport.kafka;

import io.reflow.testsupport.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** KRaft storage formatting, which a log dir needs once before its first start (and must not get again). */
final class BrokerStorage {
    private static final long FORMAT_TIMEOUT_SECONDS = 120;
    // a one-shot tool: the JIT's optimising tier and a concurrent GC would only cost start-up time
    private static final List<String> JVM_ARGS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private BrokerStorage() {}

    static boolean isFormatted(Path logDir) {
        return Files.exists(logDir.resolve("meta.properties"));
    }

    /** Formats the log dir named in {@code serverProperties} with a new cluster id, unless already formatted. */
    static void formatIfNeeded(Path logDir, String classpath, Path loggingConfig, Path serverProperties, Path log) {
        if (isFormatted(logDir)) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_ARGS);
        command.add("-Dlog4j2.configurationFile=" + loggingConfig);
        command.addAll(List.of("-cp", classpath, "kafka.tools.StorageTool", "format",
                "--cluster-id", Uuid.randomUuid().toString(),
                "--config", serverProperties.toString()));
        ChildProcess.runToCompletion("kafka-storage-format", command, log, FORMAT_TIMEOUT_SECONDS);
    }
}
