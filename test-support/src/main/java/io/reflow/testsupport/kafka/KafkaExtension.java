package io.reflow.testsupport.kafka;

import io.reflow.testsupport.ComponentExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * One Kafka broker per test class, in a temp dir that is deleted afterwards. Register it on a static field:
 * <pre>{@code @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();}</pre>
 * Tests share the broker, so each should work on its own {@link #freshTopic(String, int) fresh topic}.
 */
public final class KafkaExtension extends ComponentExtension<KafkaBroker> {
    private static final Pattern NOT_TOPIC_CHARACTERS = Pattern.compile("[^a-zA-Z0-9._-]");

    private final AtomicInteger topicCount = new AtomicInteger();

    public KafkaExtension() {
        super("kafka");
    }

    @Override
    protected KafkaBroker start(Path dataDir) {
        return KafkaBroker.start(dataDir, 0);
    }

    @Override
    protected void stop(KafkaBroker broker) {
        broker.close();
    }

    public KafkaBroker broker() {
        return component();
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
}
