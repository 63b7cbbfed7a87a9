package io.reflow.capture;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture service as a process: configuration from the environment ({@link CaptureConfig#fromEnv}),
 * teams from {@code TEAM_REGISTRY}, records to Kafka. Stops gracefully on SIGTERM.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        // before the first logger exists: log at INFO to stdout unless the operator configured logging
        if (System.getProperty("log4j2.configurationFile") == null && System.getenv("LOG4J_CONFIGURATION_FILE") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-capture.xml");
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        CaptureConfig config = CaptureConfig.fromEnv(System.getenv());
        TeamRegistry registry = TeamRegistry.load(config.teamRegistry(), config.teamRegistryCheckInterval());
        KafkaRecordSink sink = KafkaRecordSink.create(config);
        CaptureServer server = CaptureServer.start(config, sink, registry);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            sink.close();
            stopped.countDown();
        }, "capture-shutdown"));
        log.info("capture up on port {}: {} teams from {}, Kafka {}, topics {} / {} / {}", server.port(), registry.teams().size(),
                config.teamRegistry(), config.kafkaBootstrapServers(), config.eventsTopic(), config.recordingsTopic(),
                config.deadLetterTopic());
        stopped.await();
    }
}
