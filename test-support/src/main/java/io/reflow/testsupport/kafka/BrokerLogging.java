package io.reflow.testsupport.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The broker's log4j 2 configuration: everything to stdout, which {@link KafkaBroker} sends to its log file. */
final class BrokerLogging {
    private static final String CONFIG = """
            status = warn
            appender.out.type = Console
            appender.out.name = out
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = out
            # one line per partition and request at INFO: noise for a test broker
            logger.state.name = state.change.logger
            logger.state.level = WARN
            logger.log.name = kafka.log
            logger.log.level = WARN
            logger.storage.name = org.apache.kafka.storage.internals.log
            logger.storage.level = WARN
            """;

    private BrokerLogging() {}

    static void writeConfig(Path file) {
        try {
            Files.writeString(file, CONFIG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
