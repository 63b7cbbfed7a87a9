package io.reflow.local;

import io.reflow.testsupport.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * bin/local's main class in a child JVM, as a person runs it: on given ports and a data dir, so it can be killed
 * abruptly (SIGKILL, with every component it started) and started again on the same data.
 */
final class LocalStackProcess implements AutoCloseable {
    private static final List<String> JVM_ARGS = List.of("-Xmx1500m", "-XX:+UseSerialGC",
            "-Daws.java.v1.disableDeprecationAnnouncement=true",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** The ports of one stack, fixed across restarts (ClickHouse's Kafka table keeps the broker address it was created with). */
    record Ports(int kafka, int s3, int clickhouse, int flinkUi, int capture, int viewer) {
        static Ports free() {
            return new Ports(io.reflow.testsupport.Ports.free(), io.reflow.testsupport.Ports.free(),
                    io.reflow.testsupport.Ports.free(), io.reflow.testsupport.Ports.free(),
                    io.reflow.testsupport.Ports.free(), io.reflow.testsupport.Ports.free());
        }
    }

    private final ChildProcess process;
    private final Ports ports;

    private LocalStackProcess(ChildProcess process, Ports ports) {
        this.process = process;
        this.ports = ports;
    }

    /** Starts bin/local's main class and waits for its READY line. */
    static LocalStackProcess start(Path dataDir, Ports ports, Path log, Duration timeout) {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                "--kafka-port", String.valueOf(ports.kafka()), "--s3-port", String.valueOf(ports.s3()),
                "--clickhouse-port", String.valueOf(ports.clickhouse()), "--flink-ui-port", String.valueOf(ports.flinkUi()),
                "--capture-port", String.valueOf(ports.capture()), "--viewer-port", String.valueOf(ports.viewer())));
        long offset = size(log);
        ChildProcess child = ChildProcess.startJava("bin-local", System.getProperty("java.class.path"), JVM_ARGS,
                Main.class.getName(), args, log);
        LocalStackProcess stack = new LocalStackProcess(child, ports);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stack.output(offset).contains("\nREADY in ")) {
            if (!child.isAlive()) {
                throw new IllegalStateException("bin/local exited with " + child.exitValue() + " before READY:\n" + child.logTail(60));
            }
            if (System.nanoTime() - deadline > 0) {
                child.kill();
                throw new IllegalStateException("bin/local not READY in " + timeout + ":\n" + child.logTail(60));
            }
            sleep(200);
        }
        return stack;
    }

    String viewerUrl() {
        return "http://127.0.0.1:" + ports.viewer();
    }

    String clickhouseUrl() {
        return "http://127.0.0.1:" + ports.clickhouse();
    }

    /** SIGKILL to bin/local and every process it started: nothing gets to flush, commit or take a savepoint. */
    void kill() {
        process.kill();
    }

    private String output(long from) {
        try {
            byte[] all = Files.readAllBytes(process.log());
            return "\n" + new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path log) {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills it (tests throw the data dir away; a graceful stop would only cost time). */
    @Override
    public void close() {
        process.kill();
        process.close();
    }
}
