package io.reflow.bench.replay;

import io.reflow.contracts.crypto.MasterKey;
import io.reflow.testsupport.kafka.KafkaBroker;
import io.reflow.testsupport.s3.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The replay job (issue 7's scale and throughput targets) on a MiniCluster at parallelism 2 in a JVM of its own
 * (heap {@code --job-heap}, 1 GB by default), against a real Kafka broker and S3Proxy, each round in two phases:
 * <ol>
 *   <li><b>throughput</b>: a backlog of realistic recording messages (built from the posthog-js fixtures) is consumed
 *       by the baseline ({@link ZstdBaseline}: a consumer loop per partition that zstd-compresses per session) and then
 *       by the job; the job's rate is read from the records its source task emits;</li>
 *   <li><b>steady</b>: {@code --sessions} sessions (10 000) each send a message every {@code --message-interval-ms};
 *       every message's capture-to-committed latency is measured (its {@code received_at_ms} to the moment its block's
 *       summary row is readable read_committed), with the job JVM's heap, files written and compression ratio.</li>
 * </ol>
 * Prints every round and a markdown table of medians. See docs/BENCHMARKS.md.
 *
 * <p>With {@code --floor} each throughput phase also runs the <b>floor</b> between the baseline and the job:
 * {@link PassThroughReplayJob}, the job with its decoder replaced by a pass-through, measured exactly as the job is.
 *
 * <p>With {@code --compare-encryption} (issue 8) each round is the throughput phase only, twice: over a plain backlog
 * and over the same messages with {@code encrypt: true} (the job gets a master key both times), the order alternating
 * between rounds; no baseline and no steady phase.
 */
public final class ReplayBenchmark {
    private static final String ACCESS_KEY = "bench-access-key";
    private static final String SECRET_KEY = "bench-secret-key";
    private static final String BUCKET = "reflow-bench";
    private static final Duration STARTUP = Duration.ofSeconds(120);
    // old segments of the benchmark's topics are deleted as the run goes, so disk use stays bounded
    private static final Map<String, String> TOPIC_CONFIG = Map.of("retention.bytes", Long.toString(1L << 30),
            "segment.bytes", Long.toString(64L << 20));

    private final ReplayBenchOptions options;
    private final KafkaBroker broker;
    private final S3Server s3;
    private final Path dir;
    private final ReplayReport report;

    private ReplayBenchmark(ReplayBenchOptions options, KafkaBroker broker, S3Server s3, Path dir, ReplayReport report) {
        this.options = options;
        this.broker = broker;
        this.s3 = s3;
        this.dir = dir;
        this.report = report;
    }

    public static void main(String[] args) throws Exception {
        ReplayBenchOptions options = ReplayBenchOptions.parse(args);
        ReplayReport report = new ReplayReport(System.out, options);
        report.header(String.join(" ", args), loadAverage());
        Path dir = Files.createTempDirectory("reflow-replay-bench-");
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0);
             S3Server s3 = S3Server.start(dir.resolve("s3"), 0, ACCESS_KEY, SECRET_KEY)) {
            s3.createBucket(BUCKET);
            new ReplayBenchmark(options, broker, s3, dir, report).run();
        } finally {
            report.footer(loadAverage());
            keepLogs(dir, Path.of("target", "replay-bench", java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-')),
                    report);
            deleteRecursively(dir);
        }
    }

    private void run() throws Exception {
        if (options.compareEncryption()) {
            compareEncryption();
            return;
        }
        broker.createTopic("bench-backlog", options.parallelism(), TOPIC_CONFIG);
        RecordingProducer.Backlog backlog;
        try (RecordingProducer producer = new RecordingProducer(broker.bootstrapServers(), "bench-backlog",
                new RecordingWorkload(options.backlogSessions(), "backlog"))) {
            backlog = producer.backlog(options.backlogMb() * 1_000_000L);
        }
        report.backlog(backlog.sent());
        if (options.warmupMb() > 0) {
            ZstdBaseline.Result warm = ZstdBaseline.run(broker.bootstrapServers(), "bench-backlog",
                    options.parallelism(), options.flushAge(), options.zstdLevel(), backlog.sent().bytes());
            report.baselineWarmup(warm);
        }
        List<RoundResult> rounds = new ArrayList<>();
        for (int round = 1; round <= options.runs(); round++) {
            ForeignCpu cpu = new ForeignCpu();
            ZstdBaseline.Result baseline = ZstdBaseline.run(broker.bootstrapServers(), "bench-backlog",
                    options.parallelism(), options.flushAge(), options.zstdLevel(), backlog.sent().bytes());
            double baselineForeign = cpu.coresSinceLast();
            ThroughputResult floor = options.floor() ? throughput("f" + round, "bench-backlog", backlog, true) : null;
            double floorForeign = cpu.coresSinceLast();
            ThroughputResult throughput = throughput("t" + round, "bench-backlog", backlog);
            double throughputForeign = cpu.coresSinceLast();
            SteadyResult steady = steady(round);
            double steadyForeign = cpu.coresSinceLast();
            RoundResult r = new RoundResult(round, baseline, floor, throughput, steady,
                    Math.max(Math.max(baselineForeign, floorForeign), Math.max(throughputForeign, steadyForeign)));
            rounds.add(r);
            report.round(r);
        }
        report.summary(rounds);
    }

    /**
     * Two backlogs of the same messages (same sessions, same random sequence), one with {@code encrypt: true} on every
     * message; each round the job consumes both, in alternating order.
     */
    private void compareEncryption() throws Exception {
        Path masterKey = dir.resolve("master.key");
        Files.writeString(masterKey, MasterKey.generateBase64());
        RecordingProducer.Backlog plain = backlog("bench-backlog", false);
        report.backlog(plain.sent());
        RecordingProducer.Backlog encrypted = backlog("bench-backlog-encrypted", true);
        report.backlog(encrypted.sent());
        List<EncryptionRound> rounds = new ArrayList<>();
        for (int round = 1; round <= options.runs(); round++) {
            ForeignCpu cpu = new ForeignCpu();
            ThroughputResult off;
            ThroughputResult on;
            if (round % 2 == 1) {
                off = throughput("p" + round, "bench-backlog", plain);
                on = throughput("e" + round, "bench-backlog-encrypted", encrypted);
            } else {
                on = throughput("e" + round, "bench-backlog-encrypted", encrypted);
                off = throughput("p" + round, "bench-backlog", plain);
            }
            long keyRows = countRecords("bench-session-keys-e" + round);
            long plainKeyRows = countRecords("bench-session-keys-p" + round);
            if (plainKeyRows != 0 || keyRows < options.backlogSessions()) {
                throw new IllegalStateException("expected a key row for each of the " + options.backlogSessions()
                        + " sessions of the encrypted run and none for the plain run, got " + keyRows + " and " + plainKeyRows);
            }
            EncryptionRound r = new EncryptionRound(round, off, on, keyRows, cpu.coresSinceLast());
            rounds.add(r);
            report.encryptionRound(r);
        }
        report.encryptionSummary(rounds);
    }

    private RecordingProducer.Backlog backlog(String topic, boolean encrypt) {
        broker.createTopic(topic, options.parallelism(), TOPIC_CONFIG);
        try (RecordingProducer producer = new RecordingProducer(broker.bootstrapServers(), topic,
                new RecordingWorkload(options.backlogSessions(), "backlog", encrypt))) {
            return producer.backlog(options.backlogMb() * 1_000_000L);
        }
    }

    /** Committed records on a topic (read_committed, from the start to the end). */
    private long countRecords(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(p,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.currentTimeMillis() < deadline) {
                count += consumer.poll(Duration.ofMillis(500)).count();
            }
            return count;
        }
    }

    /** One round of the encryption comparison: the job over the plain and over the encrypted backlog. */
    record EncryptionRound(int round, ThroughputResult plain, ThroughputResult encrypted, long keyRows, double foreignCores) {
        /** Encrypted MB/s over plain MB/s, until every block is written. */
        double rateRatio() {
            return encrypted.written().megabytesPerSecond() / plain.written().megabytesPerSecond();
        }

        /** Encrypted CPU s/MB over plain CPU s/MB, until every block is written. */
        double cpuRatio() {
            return encrypted.written().cpuSecondsPerMegabyte() / plain.written().cpuSecondsPerMegabyte();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The job over the backlog, from the start of the topic, with a consumer group of its own. Its rate is taken from
     * the records its source task has emitted (Flink's numRecordsOut, sampled every 250 ms), between 10% and 90% of the
     * backlog: start-up and the last checkpoints are left out, as the baseline's consumer start-up is. The backlog's
     * messages are spread evenly (round-robin sessions), so records convert to bytes by the mean message size.
     */
    record ThroughputResult(double megabytesPerSecond, double cpuSecondsPerMegabyte, double endToEndMegabytesPerSecond,
                            double seconds, double compressionRatio, int files, long checkpoints, long failedCheckpoints,
                            double heapPeakAfterGcMib, Written written, double blockBytesPerInputByte) {}

    /**
     * From the moment every task runs until every message of the backlog is in a committed summary row (so every block
     * compressed, encrypted where asked, uploaded and committed): MB of the backlog per second of that span and job-JVM CPU
     * seconds per MB. Only taken with {@code --compare-encryption} and {@code --floor}; the source rate alone would miss the blocks
     * written (and encrypted) at checkpoints after the source has emitted its last record.
     */
    record Written(double megabytesPerSecond, double cpuSecondsPerMegabyte, double seconds) {
        static final Written NOT_MEASURED = new Written(Double.NaN, Double.NaN, Double.NaN);
    }

    private ThroughputResult throughput(String tag, String backlogTopic, RecordingProducer.Backlog backlog) throws Exception {
        return throughput(tag, backlogTopic, backlog, false);
    }

    /** {@code floor}: {@link PassThroughReplayJob} (its warm-up too) instead of the job. */
    private ThroughputResult throughput(String tag, String backlogTopic, RecordingProducer.Backlog backlog, boolean floor)
            throws Exception {
        String group = "bench-job-" + tag;
        Topics topics = topics(tag, null);
        Map<String, String> host = new LinkedHashMap<>(warmup(tag, backlogTopic, backlog));
        if (floor) {
            host.put("host.floor", "true");
        }
        try (SummaryFollower follower = new SummaryFollower(broker.bootstrapServers(), topics.summaries());
             JobHostProcess job = startJob(tag, backlogTopic, topics, group, options.compareEncryption(), host);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            long runningSince = job.awaitRunning(options.warmupMb() == 0 ? STARTUP : STARTUP.multipliedBy(4));
            long ticksWhenRunning = ProcessCpu.ticks(job.pid());
            Map<String, Long> threadsWhenRunning = ThreadCpu.byName(job.pid());
            long messages = backlog.sent().messages();
            double bytesPerMessage = (double) backlog.sent().bytes() / messages;
            long deadline = System.currentTimeMillis() + Math.max(300_000, options.backlogMb() * 1_000L);
            long[] at10 = null; // {time ms, records, job CPU ticks}
            Map<String, Long> threadsAt10 = Map.of();
            Map<String, Long> threadsAt90 = Map.of();
            long[] at90 = null;
            long allEmittedAt = 0;
            boolean committed = false;
            // until the source has emitted every message and a checkpoint has committed the last offsets
            while (!committed) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the job did not consume the backlog in time; source emitted "
                            + job.statusLong("source_records_out") + " of " + messages + " messages");
                }
                String trouble = job.trouble();
                if (trouble != null) {
                    throw new IllegalStateException(trouble);
                }
                long records = job.statusLong("source_records_out");
                long now = System.currentTimeMillis();
                if (at10 == null && records >= messages / 10) {
                    at10 = new long[] {now, records, ProcessCpu.ticks(job.pid())};
                    threadsAt10 = ThreadCpu.byName(job.pid());
                }
                if (at90 == null && records >= messages * 9 / 10) {
                    at90 = new long[] {now, records, ProcessCpu.ticks(job.pid())};
                    threadsAt90 = ThreadCpu.byName(job.pid());
                }
                if (allEmittedAt == 0 && records >= messages) {
                    allEmittedAt = now;
                }
                if (allEmittedAt > 0) {
                    long offsets = 0;
                    for (OffsetAndMetadata o : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values()) {
                        offsets += o == null ? 0 : o.offset();
                    }
                    committed = offsets >= messages;
                }
                Thread.sleep(100);
            }
            System.out.println("  " + (floor ? "floor" : "job") + " JVM threads' CPU from 10% to 90% of the backlog: "
                    + ThreadCpu.difference(threadsAt10, threadsAt90, 12));
            Written written = Written.NOT_MEASURED;
            if (options.compareEncryption() || options.floor()) {
                while (follower.snapshot().messagesInRows() < messages) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("not every message reached a committed summary row in time: "
                                + follower.snapshot().messagesInRows() + " of " + messages);
                    }
                    String trouble = job.trouble();
                    if (trouble != null) {
                        throw new IllegalStateException(trouble);
                    }
                    Thread.sleep(50);
                }
                double seconds = (System.currentTimeMillis() - runningSince) / 1e3;
                double total = backlog.sent().bytes() / 1e6;
                written = new Written(total / seconds, (ProcessCpu.ticks(job.pid()) - ticksWhenRunning) / 100.0 / total, seconds);
                System.out.println("  " + (floor ? "floor" : "job") + " JVM threads' CPU from running until every block is committed: "
                        + ThreadCpu.difference(threadsWhenRunning, ThreadCpu.byName(job.pid()), 12));
            }
            double megabytes = (at90[1] - at10[1]) * bytesPerMessage / 1e6;
            double rate = megabytes / ((at90[0] - at10[0]) / 1e3);
            double cpuPerMb = (at90[2] - at10[2]) / 100.0 / megabytes;
            double endToEnd = backlog.sent().bytes() / 1e6 / ((allEmittedAt - runningSince) / 1e3);
            SummaryFollower.Snapshot rows = follower.snapshot();
            Properties status = job.status();
            // the blocks' uncompressed bytes (their lines) per byte of the messages they hold, in the rows committed so far
            double blockBytesPerInputByte = rows.uncompressedBytes() / (rows.messagesInRows() * bytesPerMessage);
            return new ThroughputResult(rate, cpuPerMb, endToEnd, (allEmittedAt - runningSince) / 1e3, rows.compressionRatio(),
                    rows.fileFirstSeen().size(), Long.parseLong(status.getProperty("checkpoints_completed", "0")),
                    Long.parseLong(status.getProperty("checkpoints_failed", "0")),
                    Long.parseLong(status.getProperty("heap_peak_after_gc", "0")) / 1048576.0, written, blockBytesPerInputByte);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Many sessions sending steadily, with the latency of every message. */
    record SteadyResult(RecordingProducer.Sent sent, long committedMessages, double p50Ms, double p99Ms, double maxMs,
                        double filesPerMinute, double compressionRatio, int sessionsSeen, double messagesPerBlock,
                        long checkpoints, long failedCheckpoints, double checkpointMedianMs, double checkpointMaxMs,
                        double heapPeakUsedMib, double heapPeakAfterGcMib,
                        double heapMaxMib, double rssMib, ClassHistogram histogram, String jobState) {}

    private SteadyResult steady(int round) throws Exception {
        String tag = "s" + round;
        String recordings = "bench-recordings-" + tag;
        broker.createTopic(recordings, options.parallelism(), TOPIC_CONFIG);
        Topics topics = topics(tag, recordings);
        RecordingWorkload workload = new RecordingWorkload(options.sessions(), "steady-" + round);
        try (SummaryFollower follower = new SummaryFollower(broker.bootstrapServers(), topics.summaries());
             JobHostProcess job = startJob(tag, recordings, topics, "bench-job-" + tag, false, Map.of());
             RecordingProducer producer = new RecordingProducer(broker.bootstrapServers(), recordings, workload)) {
            job.awaitRunning(STARTUP);
            HistogramTaker histogram = new HistogramTaker(job.pid(), dir.resolve("histogram-" + tag + ".txt"),
                    options.histogram() ? options.steady().multipliedBy(2).dividedBy(3) : null);
            RecordingProducer.Sent sent = producer.steady(options.messageInterval(), options.steady(), follower);
            long stoppedAt = System.currentTimeMillis();
            long deadline = stoppedAt + options.flushAge().plus(options.checkpointInterval()).plusSeconds(60).toMillis();
            SummaryFollower.Snapshot rows = follower.snapshot();
            while (rows.committedMessages() < sent.messages() && System.currentTimeMillis() < deadline) {
                String trouble = job.trouble();
                if (trouble != null) {
                    throw new IllegalStateException(trouble);
                }
                Thread.sleep(200);
                rows = follower.snapshot();
            }
            Properties status = job.status();
            String state = job.trouble() == null ? status.getProperty("job_status") : job.trouble();
            // files per minute while sessions were sending and blocks were already being written (two checkpoints at least)
            long firstRow = rows.fileFirstSeen().values().stream().min(Long::compare).orElse(stoppedAt);
            double filesPerMinute = stoppedAt - firstRow >= 2 * options.checkpointInterval().toMillis()
                    ? rows.filesPerMinute(firstRow, stoppedAt) : Double.NaN;
            return new SteadyResult(sent, rows.committedMessages(), rows.latencyPercentileMs(50),
                    rows.latencyPercentileMs(99), rows.latencyPercentileMs(100), filesPerMinute,
                    rows.compressionRatio(), rows.sessions(), rows.medianMessagesPerBlock(),
                    Long.parseLong(status.getProperty("checkpoints_completed", "0")),
                    Long.parseLong(status.getProperty("checkpoints_failed", "0")),
                    Double.parseDouble(status.getProperty("checkpoint_duration_median_ms", "NaN")),
                    Double.parseDouble(status.getProperty("checkpoint_duration_max_ms", "NaN")),
                    mib(status, "heap_peak_used"), mib(status, "heap_peak_after_gc"), mib(status, "heap_max"),
                    job.peakRssMib(), histogram.result(), state);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    record Topics(String recordings, String summaries, String logEntries, String deadLetters, String sessionKeys) {}

    private Topics topics(String tag, String recordings) {
        Topics t = new Topics(recordings, "bench-summaries-" + tag, "bench-log-entries-" + tag, "bench-dlq-" + tag,
                "bench-session-keys-" + tag);
        broker.createTopic(t.summaries(), options.parallelism(), TOPIC_CONFIG);
        broker.createTopic(t.logEntries(), options.parallelism(), TOPIC_CONFIG);
        broker.createTopic(t.deadLetters(), 1, TOPIC_CONFIG);
        broker.createTopic(t.sessionKeys(), options.parallelism(), TOPIC_CONFIG);
        return t;
    }

    /**
     * The host arguments of a warm-up run over the first {@code --warmup-mb} MB of the backlog, with a consumer group,
     * output topics and S3 prefix of its own ({@link ReplayJobHost#WARMUP_PREFIX}); none without a warm-up.
     */
    private Map<String, String> warmup(String tag, String backlogTopic, RecordingProducer.Backlog backlog) {
        if (options.warmupMb() == 0) {
            return Map.of();
        }
        String warmTag = "w" + tag;
        Topics topics = topics(warmTag, backlogTopic);
        double bytesPerMessage = (double) backlog.sent().bytes() / backlog.sent().messages();
        Map<String, String> host = new LinkedHashMap<>();
        host.put("host.warmup-records", Long.toString((long) (options.warmupMb() * 1e6 / bytesPerMessage)));
        String p = ReplayJobHost.WARMUP_PREFIX;
        host.put(p + "topic.session-replay-events", topics.summaries());
        host.put(p + "topic.log-entries", topics.logEntries());
        host.put(p + "topic.dead-letter", topics.deadLetters());
        host.put(p + "topic.session-keys", topics.sessionKeys());
        host.put(p + "kafka.group-id", "bench-job-" + warmTag);
        host.put(p + "kafka.transactional-id-prefix", "bench-" + warmTag);
        host.put(p + "output.base", "s3://" + BUCKET + "/" + warmTag);
        return host;
    }

    /**
     * {@code masterKey}: the job reads the run's master key file (needed for messages with {@code encrypt: true});
     * {@code extraHost}: more host arguments (a warm-up run).
     */
    private JobHostProcess startJob(String tag, String recordings, Topics topics, String group, boolean masterKey,
                                    Map<String, String> extraHost) throws IOException {
        Map<String, String> job = new LinkedHashMap<>();
        job.put("kafka.bootstrap-servers", broker.bootstrapServers());
        job.put("topic.recordings", recordings);
        job.put("topic.session-replay-events", topics.summaries());
        job.put("topic.log-entries", topics.logEntries());
        job.put("topic.dead-letter", topics.deadLetters());
        job.put("topic.session-keys", topics.sessionKeys());
        if (masterKey) {
            job.put("encryption.master-key-file", dir.resolve("master.key").toString());
        }
        job.put("kafka.group-id", group);
        job.put("kafka.transactional-id-prefix", "bench-" + tag);
        job.put("output.base", "s3://" + BUCKET + "/" + tag);
        job.put("checkpoint.interval-ms", Long.toString(options.checkpointInterval().toMillis()));
        job.put("flush.age-ms", Long.toString(options.flushAge().toMillis()));
        job.put("flush.idle-ms", Long.toString(options.idleFlush().toMillis()));
        job.put("block.zstd-level", Integer.toString(options.zstdLevel()));
        Map<String, String> host = new LinkedHashMap<>();
        host.put("host.s3-endpoint", s3.endpoint());
        host.put("host.s3-access-key", ACCESS_KEY);
        host.put("host.s3-secret-key", SECRET_KEY);
        host.put("host.checkpoint-dir", dir.resolve("checkpoints-" + tag).toUri().toString());
        host.put("host.checkpoint-interval-ms", Long.toString(options.checkpointInterval().toMillis()));
        host.put("host.parallelism", Integer.toString(options.parallelism()));
        host.putAll(extraHost);
        return JobHostProcess.start("replay-job-" + tag, options.jobHeap(), options.jfr(), job, host, dir.resolve("job-" + tag));
    }

    private static double mib(Properties status, String key) {
        return Long.parseLong(status.getProperty(key, "0")) / 1048576.0;
    }

    /** Takes a class histogram of the job JVM once, {@code after} into the phase, in the background (null: never). */
    private static final class HistogramTaker {
        private volatile ClassHistogram result;
        private final Thread thread;

        HistogramTaker(long pid, Path file, Duration after) {
            thread = new Thread(() -> {
                try {
                    Thread.sleep(after.toMillis());
                    result = ClassHistogram.of(pid, file, 8);
                } catch (InterruptedException ignored) {
                    // phase over early
                } catch (IOException e) {
                    System.err.println("class histogram failed: " + e.getMessage());
                }
            }, "class-histogram");
            thread.setDaemon(true);
            if (after != null) {
                thread.start();
            }
        }

        ClassHistogram result() {
            return result;
        }
    }

    /** The job JVMs' logs, GC logs, class histograms and recordings, kept after the run's data is deleted. */
    private static void keepLogs(Path dir, Path target, ReplayReport report) {
        try (Stream<Path> paths = Files.walk(dir)) {
            Files.createDirectories(target);
            for (Path p : paths.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                boolean jobFile = p.getParent().getFileName().toString().startsWith("job-")
                        && (name.endsWith(".log") || name.endsWith(".jfr"));
                if (jobFile) {
                    Files.copy(p, target.resolve(p.getParent().getFileName() + "-" + name), StandardCopyOption.REPLACE_EXISTING);
                } else if (name.startsWith("histogram-")) {
                    Files.copy(p, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            report.logs(target.toAbsolutePath());
        } catch (IOException e) {
            System.err.println("could not keep the logs: " + e);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /** One round: the baseline, the floor (null without {@code --floor}) and the job over the same backlog, then the steady phase. */
    record RoundResult(int round, ZstdBaseline.Result baseline, ThroughputResult floor, ThroughputResult throughput,
                       SteadyResult steady, double foreignCores) {
        double ratio() {
            return throughput.megabytesPerSecond() / baseline.megabytesPerSecond();
        }

        /** Floor MB/s over baseline MB/s: the most any decoder can leave the job. */
        double floorRatio() {
            return floor == null ? Double.NaN : floor.megabytesPerSecond() / baseline.megabytesPerSecond();
        }

        /** Job MB/s over floor MB/s: what the decoder leaves of the floor. */
        double jobToFloor() {
            return floor == null ? Double.NaN : throughput.megabytesPerSecond() / floor.megabytesPerSecond();
        }
    }
}
