package io.reflow.local;

import io.reflow.jobs.events.EventsJob;
import io.reflow.jobs.events.EventsJobConfig;
import io.reflow.jobs.replay.ReplayJob;
import io.reflow.jobs.replay.ReplayJobConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replay and events jobs, as one Flink job on an in-process MiniCluster with the Flink web UI. State is
 * RocksDB on local disk; checkpoints are retained and a stop takes a savepoint, so a restart on the same data
 * dir resumes from the newest of them.
 */
final class LocalFlinkJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkJobs.class);

    private final JobClient job;
    private final Path savepoints;

    private LocalFlinkJobs(JobClient job, Path savepoints) {
        this.job = job;
        this.savepoints = savepoints;
    }

    static LocalFlinkJobs start(Path flinkDir, int uiPort, Configuration s3, ReplayJobConfig replay, EventsJobConfig events)
            throws Exception {
        Path checkpoints = Files.createDirectories(flinkDir.resolve("checkpoints"));
        Path savepoints = Files.createDirectories(flinkDir.resolve("savepoints"));
        Configuration conf = new Configuration(s3);
        conf.setString("rest.port", String.valueOf(uiPort));
        conf.setString("rest.address", "127.0.0.1");
        conf.setString("rest.bind-address", "127.0.0.1");
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("execution.checkpointing.savepoint-dir", savepoints.toUri().toString());
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.setString("execution.checkpointing.num-retained", "2");
        conf.setString("taskmanager.numberOfTaskSlots", "2");
        conf.setString("io.tmp.dirs", Files.createDirectories(flinkDir.resolve("tmp")).toString());
        Optional<Path> resumeFrom = newestState(checkpoints, savepoints);
        resumeFrom.ifPresent(p -> conf.setString("execution.state-recovery.path", p.toUri().toString()));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        env.enableCheckpointing(replay.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        ReplayJob.fromConfig(replay).build(env);
        EventsJob.fromConfig(events).build(env);
        JobClient job = env.executeAsync("reflow-local (replay + events)");
        LOG.info("flink job {} started{}", job.getJobID(), resumeFrom.map(p -> " from " + p).orElse(" with empty state"));
        return new LocalFlinkJobs(job, savepoints);
    }

    String jobId() {
        return job.getJobID().toString();
    }

    /** Newest retained checkpoint or savepoint (the directory holding {@code _metadata}). */
    static Optional<Path> newestState(Path checkpoints, Path savepoints) {
        try (Stream<Path> c = Files.walk(checkpoints, 3); Stream<Path> s = Files.walk(savepoints, 2)) {
            return Stream.concat(c, s)
                    .filter(p -> p.getFileName().toString().equals("_metadata"))
                    .max(Comparator.comparingLong(LocalFlinkJobs::modified))
                    .map(Path::getParent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Stop with a savepoint (commits every pending file and summary); cancel if that does not finish in time. */
    @Override
    public void close() {
        try {
            String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("flink job stopped with savepoint {}", savepoint);
            pruneSavepoints();
        } catch (Exception e) {
            LOG.warn("stop with savepoint failed ({}); cancelling: the retained checkpoint is resumed next time", e.toString());
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the cluster is going away with this JVM anyway
            }
        }
    }

    private void pruneSavepoints() throws IOException {
        try (Stream<Path> s = Files.list(savepoints)) {
            List<Path> old = s.filter(Files::isDirectory).sorted(Comparator.comparingLong(LocalFlinkJobs::modified).reversed())
                    .skip(2).toList();
            for (Path p : old) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
