package io.reflow.testsupport.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Kafka broker per test class, in a temp dir that is deleted afterwards. Register it on a static field:
 * <pre>{@code @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();}</pre>
 * Tests share the broker, so each should work on its own {@link #freshTopic(String, int) fresh topic}.
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Pattern NOT_TOPIC_CHARACTERS = Pattern.compile("[^a-zA-Z0-9._-]");

    private final AtomicInteger topicCount = new AtomicInteger();
    // @Nested classes run the callbacks again; only the outermost class starts and stops the broker
    private int activeClasses;
    private Path dataDir;
    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (activeClasses++ > 0) {
            return;
        }
        dataDir = Files.createTempDirectory("reflow-kafka-");
        broker = KafkaBroker.start(dataDir, 0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--activeClasses > 0) {
            return;
        }
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            broker = null;
            if (dataDir != null) {
                deleteRecursively(dataDir);
                dataDir = null;
            }
        }
    }

    public KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("no broker: register the KafkaExtension on a static field");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** Creates a topic named after {@code prefix} that no other test of this class uses, and returns its name. */
    public String freshTopic(String prefix, int partitions) {
        return freshTopic(prefix, partitions, Map.of());
    }

    /** As {@link #freshTopic(String, int)}, with topic configs (e.g. {@code cleanup.policy}). */
    public String freshTopic(String prefix, int partitions, Map<String, String> configs) {
        String name = NOT_TOPIC_CHARACTERS.matcher(prefix).replaceAll("-") + "-" + topicCount.incrementAndGet()
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        broker().createTopic(name, partitions, configs);
        return name;
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
}
