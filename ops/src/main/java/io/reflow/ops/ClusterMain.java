package io.reflow.ops;

import io.reflow.testsupport.flink.FlinkCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * What bin/flink-cluster runs in the background: starts a {@link FlinkCluster} (JobManager and TaskManager JVMs),
 * records where it is in {@code <data dir>/cluster.env}, and on INT/TERM stops the TaskManager, then the JobManager.
 * The Flink JVMs exit by themselves if this process dies.
 */
public final class ClusterMain {
    static final String STATE_FILE = "cluster.env";

    private ClusterMain() {}

    public static void main(String[] args) throws Exception {
        ClusterOptions options;
        try {
            options = ClusterOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path state = options.dataDir().resolve(STATE_FILE);
        Files.deleteIfExists(state);
        long t0 = System.nanoTime();
        FlinkCluster cluster;
        try {
            cluster = FlinkCluster.start(options.settings());
        } catch (RuntimeException e) {
            System.err.println("the Flink cluster did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(signal), s -> stop.countDown());
        }
        writeState(state, List.of(
                "REST_URL=" + cluster.restUrl(),
                "CONF_DIR=" + cluster.confDir(),
                "PLUGINS_DIR=" + cluster.pluginsDir(),
                "LOG_DIR=" + cluster.logDir(),
                "SUPERVISOR_PID=" + ProcessHandle.current().pid(),
                "JOBMANAGER_PID=" + cluster.jobManagerPid(),
                "TASKMANAGER_PID=" + cluster.taskManagerPid(),
                "JOBMANAGER_METRICS=http://127.0.0.1:" + cluster.jobManagerMetricsPort() + "/metrics",
                "TASKMANAGER_METRICS=http://127.0.0.1:" + cluster.taskManagerMetricsPort() + "/metrics"));
        System.out.printf("READY in %.1f s: web UI and REST %s%n", (System.nanoTime() - t0) / 1e9, cluster.restUrl());
        System.out.flush();
        stop.await();
        System.out.println("stopping the TaskManager, then the JobManager…");
        Files.deleteIfExists(state);
        cluster.close();
        System.out.println("stopped");
        System.exit(0);
    }

    private static void writeState(Path state, List<String> lines) throws IOException {
        Path tmp = state.resolveSibling(STATE_FILE + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
