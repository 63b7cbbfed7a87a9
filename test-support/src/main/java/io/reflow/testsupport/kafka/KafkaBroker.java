package io.reflow.testsupport.kafka;

import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.RuntimeClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real single-node Kafka cluster (KRaft, one JVM acting as broker and controller) on 127.0.0.1, running in a
 * child JVM with its data in {@code dataDir}. The data survives {@link #stop()}, {@link #kill()} and
 * {@link #restart()}; the ports stay the same across restarts.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The largest record batch the broker accepts (clients need matching max.request.size / fetch sizes). */
    public static final int MAX_MESSAGE_BYTES = BrokerConfig.MAX_MESSAGE_BYTES;

    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final long STOP_GRACE_SECONDS = 30;
    private static final List<String> JVM_ARGS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC",
            "-Djava.awt.headless=true", "-XX:+ExitOnOutOfMemoryError");

    private final Path dataDir;
    private final BrokerConfig config;
    private final String classpath;
    private ChildProcess process;
    private BrokerAdmin admin;

    private KafkaBroker(Path dataDir, BrokerConfig config, String classpath) {
        this.dataDir = dataDir;
        this.config = config;
        this.classpath = classpath;
    }

    /**
     * Starts a broker keeping its data in {@code dataDir} (formatted on first use, reused as is afterwards) and
     * returns once it serves requests.
     *
     * @param port the client port, or 0 for a free one
     */
    public static KafkaBroker start(Path dataDir, int port) {
        Path absoluteDir = dataDir.toAbsolutePath();
        int clientPort = Ports.orFree(port);
        int controllerPort = Ports.free();
        while (controllerPort == clientPort) {
            controllerPort = Ports.free();
        }
        BrokerConfig config = new BrokerConfig(clientPort, controllerPort, absoluteDir.resolve("kafka-logs"));
        KafkaBroker broker = new KafkaBroker(absoluteDir, config, RuntimeClasspath.load("kafka-broker"));
        broker.launch();
        return broker;
    }

    private void launch() {
        try {
            Files.createDirectories(config.logDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.logDir(), e);
        }
        Path serverProperties = dataDir.resolve("server.properties");
        Path loggingConfig = dataDir.resolve("log4j2.properties");
        config.writeTo(serverProperties);
        BrokerLogging.writeConfig(loggingConfig);
        List<String> jvmArgs = new ArrayList<>(JVM_ARGS);
        jvmArgs.add("-Dlog4j2.configurationFile=" + loggingConfig);

        BrokerStorage.formatIfNeeded(config.logDir(), classpath, loggingConfig, serverProperties, log());
        process = ChildProcess.startJava("kafka-broker-" + config.port(), classpath, jvmArgs, "kafka.Kafka",
                List.of(serverProperties.toString()), log());
        admin = new BrokerAdmin(bootstrapServers());
        try {
            Ports.awaitAccepting(HOST, config.port(), STARTUP_TIMEOUT, process);
            admin.awaitReady(STARTUP_TIMEOUT, process);
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + config.port();
    }

    public int port() {
        return config.port();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The broker's output (appended across restarts). */
    public Path log() {
        return dataDir.resolve("broker.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Creates a topic with replication factor 1, or does nothing if it exists. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with replication factor 1 and the given topic configs, or does nothing if it exists. */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        requireRunning();
        admin.createTopic(name, partitions, configs);
    }

    /** Graceful shutdown (SIGTERM; the broker flushes and closes its logs). */
    public void stop() {
        closeAdmin();
        if (process != null) {
            process.stop(STOP_GRACE_SECONDS);
            process.close();
            process = null;
        }
    }

    /** SIGKILL: the broker vanishes without closing anything, as in a crash. */
    public void kill() {
        closeAdmin();
        if (process != null) {
            process.kill();
            process.close();
            process = null;
        }
    }

    /** Stops the broker if it runs, then starts it again on the same data dir and ports. */
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException("Kafka broker on port " + config.port() + " is not running");
        }
    }

    private void closeAdmin() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
