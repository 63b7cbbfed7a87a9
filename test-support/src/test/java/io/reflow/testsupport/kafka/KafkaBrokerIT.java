package io.reflow.testsupport.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    @Test
    void consumerGroupReadsWhatWasProduced() throws Exception {
        String topic = KAFKA.freshTopic("produce-consume", 3);
        List<String> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = producer(KAFKA.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 100; i++) {
                sent.add("value-" + i);
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)).get(10, TimeUnit.SECONDS);
            }
        }

        List<String> received = consume(KAFKA.bootstrapServers(), topic, "read_uncommitted", 100);

        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void readCommittedConsumerSeesOnlyCommittedTransactions() throws Exception {
        String topic = KAFKA.freshTopic("transactions", 1);
        Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TimeUnit.HOURS.toMillis(1));
        try (KafkaProducer<String, String> producer = producer(KAFKA.bootstrapServers(), transactional)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "committed-" + i));
            }
            producer.commitTransaction();
        }

        assertThat(consume(KAFKA.bootstrapServers(), topic, "read_committed", 3))
                .containsExactly("committed-0", "committed-1", "committed-2");
        // the aborted records were written, so a read_uncommitted consumer sees all six
        assertThat(consume(KAFKA.bootstrapServers(), topic, "read_uncommitted", 6)).hasSize(6);
    }

    @Test
    void acceptsA20MbRecord() throws Exception {
        String topic = KAFKA.freshTopic("large", 1);
        byte[] value = new byte[20 * 1024 * 1024];
        Arrays.fill(value, (byte) 'x');
        Map<String, Object> producerConfig = Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, KafkaBroker.MAX_MESSAGE_BYTES,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
            producer.send(new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
        }

        Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "large-" + topic,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, KafkaBroker.MAX_MESSAGE_BYTES,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, KafkaBroker.MAX_MESSAGE_BYTES);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<byte[]> received = new ArrayList<>();
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> received.add(r.value()));
            }
            assertThat(received).hasSize(1);
            assertThat(received.get(0)).isEqualTo(value);
        }
    }

    @Test
    void createTopicIsIdempotentAndAppliesConfigs() throws Exception {
        String topic = "compacted-" + System.nanoTime();
        Map<String, String> configs = Map.of("cleanup.policy", "compact", "retention.ms", "3600000");
        KAFKA.broker().createTopic(topic, 2, configs);
        KAFKA.broker().createTopic(topic, 2, configs);

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions()).hasSize(2);
        }
    }

    @Test
    void topicsAreNotCreatedAutomatically() throws Exception {
        Map<String, Object> shortBlock = Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        try (KafkaProducer<String, String> producer = producer(KAFKA.bootstrapServers(), shortBlock)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("never-created", "v")).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(TimeoutException.class);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("never-created");
        }
    }

    @Test
    void restartOnTheSameDirKeepsTopicsAndRecords(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir, 0)) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic("durable", 2);
            try (KafkaProducer<String, String> producer = producer(bootstrap, Map.of())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("durable", "record-" + i)).get(10, TimeUnit.SECONDS);
                }
            }

            broker.restart();

            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(consume(bootstrap, "durable", "read_uncommitted", 10)).hasSize(10);
        }
    }

    @Test
    void killedBrokerFailsDeliveryAndRecoversOnRestart(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir, 0)) {
            broker.createTopic("crash", 1);
            Map<String, Object> impatient = Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
            try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers(), impatient)) {
                producer.send(new ProducerRecord<>("crash", "before-kill")).get(10, TimeUnit.SECONDS);

                broker.kill();

                assertThat(broker.isRunning()).isFalse();
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("crash", "while-down")).get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(TimeoutException.class);
            }

            broker.restart();

            assertThat(consume(broker.bootstrapServers(), "crash", "read_uncommitted", 1)).containsExactly("before-kill");
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"));
        config.putAll(overrides);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Reads {@code expected} values from the beginning of the topic with a new consumer group. */
    private static List<String> consume(String bootstrapServers, String topic, String isolationLevel, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "group-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            // one more poll would reveal records beyond the expected count
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
