package io.reflow.testsupport.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Kafka broker's own classpath, recorded by the reflow-runtime-kafka-broker module at build time. The broker
 * runs on it in a child JVM because its kafka-clients version differs from the one Flink's connector needs.
 */
final class BrokerClasspath {
    static final String RESOURCE = "reflow-runtime/kafka-broker.classpath";

    private BrokerClasspath() {}

    static String load() {
        String classpath;
        try (InputStream in = BrokerClasspath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: depend on"
                        + " io.reflow:reflow-runtime-kafka-broker (mvn install -pl runtimes/kafka-broker)");
            }
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        // the recorded paths point into the local Maven repository of the machine that built the module
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException(entry + " from " + RESOURCE + " does not exist:"
                        + " rebuild it here with mvn install -pl runtimes/kafka-broker");
            }
        }
        return classpath;
    }
}
