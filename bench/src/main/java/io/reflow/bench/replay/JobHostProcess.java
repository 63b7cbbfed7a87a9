package io.reflow.bench.replay;

import io.reflow.testsupport.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** {@link ReplayJobHost} in a child JVM with the given heap; reads the status file it keeps. */
final class JobHostProcess implements AutoCloseable {
    // Flink's usual opens on Java 17 (flink-conf/config.yaml)
    private static final List<String> OPENS = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");

    private final ChildProcess process;
    private final Path statusFile;
    private final Path gcLog;

    private JobHostProcess(ChildProcess process, Path statusFile, Path gcLog) {
        this.process = process;
        this.statusFile = statusFile;
        this.gcLog = gcLog;
    }

    /** Starts the job; {@code jobArgs} are {@code ReplayJobConfig} keys, {@code hostArgs} {@code host.*} keys. */
    static JobHostProcess start(String name, String heap, boolean jfr, Map<String, String> jobArgs,
                                Map<String, String> hostArgs, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path status = dir.resolve("status.properties");
        Path gcLog = dir.resolve("gc.log");
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                "-Xlog:gc:file=" + gcLog + ":uptime,level", "-Dlog4j2.configurationFile=log4j2-replay-bench.xml"));
        jvm.addAll(OPENS);
        if (jfr) {
            jvm.add("-XX:StartFlightRecording=settings=profile,path-to-gc-roots=true,dumponexit=true,filename=" + dir.resolve("job.jfr"));
        }
        String extraJvmOptions = System.getenv("REFLOW_BENCH_JOB_JVM_OPTS"); // e.g. a profiler agent
        if (extraJvmOptions != null && !extraJvmOptions.isBlank()) {
            jvm.addAll(List.of(extraJvmOptions.trim().split("\\s+")));
        }
        List<String> args = new ArrayList<>();
        jobArgs.forEach((k, v) -> args.addAll(List.of("--" + k, v)));
        hostArgs.forEach((k, v) -> args.addAll(List.of("--" + k, v)));
        args.addAll(List.of("--host.status-file", status.toString()));
        ChildProcess p = ChildProcess.startJava(name, System.getProperty("java.class.path"), jvm,
                ReplayJobHost.class.getName(), args, dir.resolve("job.log"));
        return new JobHostProcess(p, status, gcLog);
    }

    long pid() {
        return process.pid();
    }

    Path gcLog() {
        return gcLog;
    }

    /** The last status written, or an empty set before the first. */
    Properties status() {
        Properties p = new Properties();
        if (Files.exists(statusFile)) {
            try (InputStream in = Files.newInputStream(statusFile)) {
                p.load(in);
            } catch (IOException e) {
                // replaced while read: the next read gets it
            }
        }
        return p;
    }

    long statusLong(String key) {
        return Long.parseLong(status().getProperty(key, "0"));
    }

    /** Why the job is not running well: the process exited or the job is in a terminal or failing state; else null. */
    String trouble() {
        if (!process.isAlive()) {
            return "job JVM exited with " + process.exitValue() + " (" + status().getProperty("failure", "") + "); log tail:\n"
                    + process.logTail(30);
        }
        String state = status().getProperty("job_status", "");
        if (state.equals("FAILED") || state.equals("FAILING") || state.equals("RESTARTING") || state.equals("CANCELED")) {
            return "job " + state + ": " + status().getProperty("failure", "");
        }
        return null;
    }

    /** Waits until every task of the job runs; returns that time (epoch ms). */
    long awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String trouble = trouble();
            if (trouble != null) {
                throw new IllegalStateException(trouble);
            }
            long since = statusLong("running_since_ms");
            if (since > 0) {
                return since;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job did not run within " + timeout + "; log tail:\n" + process.logTail(30));
    }

    /** Peak resident set size of the job JVM in MiB (heap, RocksDB, metaspace, direct buffers...). */
    double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        process.close();
    }
}
