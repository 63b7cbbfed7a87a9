package io.reflow.bench.replay;

import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.replay.ReplayJob;
import io.reflow.jobs.replay.ReplayJobConfig;
import io.reflow.testsupport.flink.FlinkS3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The replay job as production wires it ({@link ReplayJob#fromConfig}: Kafka in, S3 batch files, exactly-once Kafka
 * out) on a MiniCluster of one TaskManager with one slot per subtask, RocksDB state, incremental checkpoints and no
 * restarts (a failure fails the job), in a JVM of its own so its heap is measured alone. Runs until killed; every
 * 250 ms it writes its job status, the records its source task has emitted ({@link SourceRecordsReporter}), checkpoint counts and durations and heap
 * figures to a status file (Java properties).
 *
 * <p>Arguments: {@code --key value} pairs; the {@code host.*} keys are for this class (status-file, s3-endpoint,
 * s3-access-key, s3-secret-key, checkpoint-dir, checkpoint-interval-ms, parallelism, warmup-records and the
 * {@value #WARMUP_PREFIX}* overrides), all others go to {@link ReplayJobConfig}. With {@code host.warmup-records}, a warm-up
 * run of the job comes first ({@link #warmUp}). With {@code host.floor true} the job is {@link PassThroughReplayJob} (the
 * job without its decoder), warm-up included.
 */
public final class ReplayJobHost {
    /** Host arguments starting with this override the job's arguments for the warm-up run. */
    static final String WARMUP_PREFIX = "host.warmup.";
    private static final long WARMUP_TIMEOUT_MS = 600_000;

    private ReplayJobHost() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> jobArgs = new HashMap<>();
        Map<String, String> host = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            (key.startsWith("host.") ? host : jobArgs).put(key, args[i + 1]);
        }
        Path statusFile = Path.of(host.get("host.status-file"));
        int parallelism = Integer.parseInt(host.get("host.parallelism"));
        FlinkS3.initialize(FlinkS3.configuration(host.get("host.s3-endpoint"), host.get("host.s3-access-key"),
                host.get("host.s3-secret-key")));
        ReplayJobConfig config = ReplayJobConfig.from(JobArguments.of(jobArgs));
        boolean floor = Boolean.parseBoolean(host.getOrDefault("host.floor", "false"));

        Map<String, String> flink = new HashMap<>();
        // as flink-conf/config.yaml, except that a failure fails the job instead of restarting it
        flink.put("state.backend.type", "rocksdb");
        flink.put("execution.checkpointing.interval", host.get("host.checkpoint-interval-ms") + " ms");
        flink.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        flink.put("execution.checkpointing.incremental", "true");
        flink.put("execution.checkpointing.min-pause", "1 s");
        flink.put("execution.checkpointing.tolerable-failed-checkpoints", "3");
        flink.put("execution.checkpointing.dir", host.get("host.checkpoint-dir"));
        flink.put("restart-strategy.type", "none");
        flink.put("rest.bind-address", "127.0.0.1");
        flink.put("rest.bind-port", "0");
        flink.put("parallelism.default", Integer.toString(parallelism));
        flink.put("web.checkpoints.history", "10000");
        flink.put("metrics.reporter.source-records.factory.class", SourceRecordsReporter.Factory.class.getName());
        Configuration conf = Configuration.fromMap(flink);
        MiniClusterConfiguration cluster = new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build();

        try (MiniCluster mini = new MiniCluster(cluster); HeapWatch heap = new HeapWatch()) {
            mini.start();
            long warmupRecords = Long.parseLong(host.getOrDefault("host.warmup-records", "0"));
            if (warmupRecords > 0) {
                Map<String, String> warmupArgs = new HashMap<>(jobArgs);
                host.forEach((k, v) -> {
                    if (k.startsWith(WARMUP_PREFIX)) {
                        warmupArgs.put(k.substring(WARMUP_PREFIX.length()), v);
                    }
                });
                warmUp(mini, conf, parallelism, ReplayJobConfig.from(JobArguments.of(warmupArgs)), floor, warmupRecords,
                        statusFile);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            build(env, config, floor);
            JobGraph jobGraph = env.getStreamGraph().getJobGraph();
            JobID id = mini.submitJob(jobGraph).get().getJobID();
            long runningSince = 0;
            while (true) {
                JobStatus status = mini.getJobStatus(id).get();
                AccessExecutionGraph graph = mini.getExecutionGraph(id).get();
                if (runningSince == 0 && allRunning(graph)) {
                    runningSince = System.currentTimeMillis();
                }
                CheckpointStatsSnapshot checkpoints = graph.getCheckpointStatsSnapshot();
                Map<String, Object> values = new LinkedHashMap<>();
                values.put("job_status", status);
                values.put("running_since_ms", runningSince);
                values.put("checkpoints_completed", checkpoints.getCounts().getNumberOfCompletedCheckpoints());
                // failures of triggered checkpoints only: before every task runs, triggering fails and Flink counts that too
                values.put("checkpoints_failed", checkpoints.getHistory().getCheckpoints().stream()
                        .filter(c -> c.getStatus() == CheckpointStatsStatus.FAILED).count());
                List<Long> durations = checkpoints.getHistory().getCheckpoints().stream()
                        .filter(c -> c.getStatus() == CheckpointStatsStatus.COMPLETED)
                        .map(AbstractCheckpointStats::getEndToEndDuration).sorted().toList();
                values.put("checkpoint_duration_median_ms", durations.isEmpty() ? 0 : durations.get(durations.size() / 2));
                values.put("checkpoint_duration_max_ms", durations.isEmpty() ? 0 : durations.get(durations.size() - 1));
                values.put("source_records_out", SourceRecordsReporter.sourceRecordsOut());
                values.put("heap_peak_used", heap.peakUsed());
                values.put("heap_peak_after_gc", heap.peakAfterGc());
                values.put("heap_max", heap.max());
                values.put("gc_count", heap.collections());
                values.put("failure", graph.getFailureInfo() == null ? "" : graph.getFailureInfo().getExceptionAsString()
                        .lines().limit(12).reduce((a, b) -> a + " | " + b).orElse(""));
                write(statusFile, values);
                if (status.isGloballyTerminalState()) {
                    System.exit(status == JobStatus.FINISHED ? 0 : 1);
                }
                Thread.sleep(250);
            }
        }
    }

    /**
     * Runs the job once on its own consumer group and output topics until its source has emitted {@code records}
     * records and two checkpoints have completed (so blocks were written, uploaded and committed), then cancels it: the
     * measured job that follows runs on code the JIT has already compiled, as a job that runs for hours does.
     */
    private static void warmUp(MiniCluster mini, Configuration conf, int parallelism, ReplayJobConfig config, boolean floor,
                               long records, Path statusFile) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        build(env, config, floor);
        JobID id = mini.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
        long deadline = System.currentTimeMillis() + WARMUP_TIMEOUT_MS;
        while (true) {
            JobStatus status = mini.getJobStatus(id).get();
            AccessExecutionGraph graph = mini.getExecutionGraph(id).get();
            if (status.isGloballyTerminalState() || System.currentTimeMillis() > deadline) {
                String failure = graph.getFailureInfo() == null ? "timed out" : graph.getFailureInfo().getExceptionAsString();
                write(statusFile, Map.of("job_status", "FAILED", "running_since_ms", 0,
                        "failure", "warm-up job " + status + ": " + failure.lines().limit(12).reduce((a, b) -> a + " | " + b).orElse("")));
                System.exit(1);
            }
            write(statusFile, Map.of("job_status", "WARMING_UP", "running_since_ms", 0));
            if (SourceRecordsReporter.sourceRecordsOut() >= records
                    && graph.getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints() >= 2) {
                break;
            }
            Thread.sleep(100);
        }
        mini.cancelJob(id).get();
        while (!mini.getJobStatus(id).get().isGloballyTerminalState()) {
            Thread.sleep(100);
        }
        awaitQuietCompilers();
    }

    /**
     * Waits (at most {@value #COMPILERS_QUIET_TIMEOUT_MS} ms) until the JIT compiler threads have used less than 5% of a
     * core for two seconds. The warm-up job's tasks keep both cores busy, so the compilations it asked for wait in the
     * compilers' queue; without this pause they run in the measured job's window.
     */
    private static void awaitQuietCompilers() throws InterruptedException {
        long pid = ProcessHandle.current().pid();
        long deadline = System.currentTimeMillis() + COMPILERS_QUIET_TIMEOUT_MS;
        long before = compilerTicks(pid);
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(2000);
            long after = compilerTicks(pid);
            if (after - before < 10) { // ticks of 10 ms: under 0.1 s of CPU in 2 s
                return;
            }
            before = after;
        }
    }

    private static final long COMPILERS_QUIET_TIMEOUT_MS = 60_000;

    private static long compilerTicks(long pid) {
        return ThreadCpu.byName(pid).entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** The replay job as production wires it, or ({@code floor}) the same without its decoder. */
    private static void build(StreamExecutionEnvironment env, ReplayJobConfig config, boolean floor) {
        if (floor) {
            PassThroughReplayJob.build(env, config);
        } else {
            ReplayJob.fromConfig(config).build(env);
        }
    }

    private static boolean allRunning(AccessExecutionGraph graph) {
        for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
            if (v.getCurrentExecutionAttempt().getState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return graph.getState() == JobStatus.RUNNING;
    }

    private static void write(Path file, Map<String, Object> values) throws IOException {
        Properties p = new Properties();
        values.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(tmp)) {
            p.store(out, null);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
