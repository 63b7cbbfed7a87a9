package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.JobArguments;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade of the events job: stop with a savepoint (MiniCluster, RocksDB, parallelism 2, real Kafka), start a new
 * job from it. The persons and the merge made before (an identify across subtasks, a $set_once) are intact after the
 * restore: events of the merged-away id resolve to the merged person, $set_once keeps the first value, versions go on
 * from where they were, and no output row is written twice across the restore.
 */
class EventsJobSavepointIT {
    static final long T = TestEvents.TEAM;
    static final long B = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();

    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(1)
            .setConfiguration(Configuration.fromMap(Map.of("state.backend.type", "rocksdb"))).build());

    @TempDir
    Path dir;

    @Test
    void personsAndMergesMadeBeforeASavepointAreIntactInTheJobStartedFromIt() throws Exception {
        Map<String, String> topics = new HashMap<>();
        for (String t : List.of("events", "merges", "events-json", "person", "distinct-ids", "warnings", "dlq")) {
            topics.put(t, KAFKA.freshTopic(t, t.equals("events") || t.equals("merges") ? 2 : 1));
        }
        EventsJobConfig config = EventsJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "topic.events", topics.get("events"),
                "topic.events-json", topics.get("events-json"),
                "topic.person", topics.get("person"),
                "topic.person-distinct-id", topics.get("distinct-ids"),
                "topic.ingestion-warnings", topics.get("warnings"),
                "topic.person-merges", topics.get("merges"),
                "topic.dead-letter", topics.get("dlq"),
                "kafka.group-id", "sp-" + topics.get("events"),
                "kafka.transactional-id-prefix", "sp-" + topics.get("events"))));
        String anon = EventsJobIT.idOnSubtask("anon-", 0);
        String user = EventsJobIT.idOnSubtask("user-", 1);

        CapturedEvent a1 = at(anon, 0, "{\"event\":\"$pageview\",\"properties\":{\"$set_once\":{\"first_seen\":\"anon\"}}}");
        CapturedEvent s1 = at("sam", 1, "{\"event\":\"signed_up\",\"properties\":{\"$set_once\":{\"first\":\"1\"},\"$set\":{\"plan\":\"free\"}}}");
        CapturedEvent u1 = at(user, 10, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + anon + "\"},"
                + "\"$set\":{\"email\":\"u@example.com\"}}");
        CapturedEvent a2 = at(anon, 20, "{\"event\":\"$set\",\"properties\":{\"$set\":{\"plan\":\"pro\"}}}");
        CapturedEvent s2 = at("sam", 21, "{\"event\":\"upgraded\",\"properties\":{\"$set_once\":{\"first\":\"2\"}}}");
        CapturedEvent u2 = at(user, 22, "{\"event\":\"clicked\",\"properties\":{}}");

        try (Reader reader = new Reader(topics)) {
            JobClient before = start(config, null);
            produce(topics.get("events"), List.of(a1, s1, u1));
            reader.await(() -> reader.has(u1) && reader.has(s1) && reader.has(a1));
            String savepoint = before.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            assertThat(before.getJobStatus().get(30, TimeUnit.SECONDS)).isEqualTo(JobStatus.FINISHED);
            assertThat(Files.isDirectory(Path.of(java.net.URI.create(savepoint)))).as(savepoint).isTrue();

            JobClient after = start(config, savepoint);
            try {
                produce(topics.get("events"), List.of(a2, s2, u2));
                reader.await(() -> reader.has(a2) && reader.has(s2) && reader.has(u2));
                reader.drainFor(Duration.ofSeconds(3));
            } finally {
                after.cancel().get(30, TimeUnit.SECONDS);
            }

            String merged = pid(user);
            assertThat(reader.event(u1).personId()).isEqualTo(merged);
            assertThat(reader.event(a2).personId()).as("the merged-away id's event after the restore").isEqualTo(merged);
            assertThat(TestEvents.tree(reader.event(a2).personProperties())).isEqualTo(TestEvents.tree(
                    "{\"first_seen\":\"anon\",\"email\":\"u@example.com\",\"plan\":\"pro\"}"));
            assertThat(reader.event(u2).personId()).isEqualTo(merged);
            assertThat(TestEvents.tree(reader.event(s2).personProperties()).get("first").asText())
                    .as("$set_once keeps the value set before the savepoint").isEqualTo("1");

            assertThat(reader.events).extracting(EnrichedEvent::uuid).as("each event once across the restore")
                    .doesNotHaveDuplicates().hasSize(6);
            assertThat(reader.persons).extracting(PersonRow::id, PersonRow::version).doesNotHaveDuplicates();
            assertThat(reader.distinctIds).extracting(PersonDistinctIdRow::distinctId, PersonDistinctIdRow::version)
                    .doesNotHaveDuplicates();
            assertThat(reader.persons).filteredOn(r -> r.id().equals(merged)).extracting(PersonRow::version)
                    .as("versions go on from the savepoint's").containsExactly(0L, 1L, 2L);
            assertThat(reader.persons).filteredOn(r -> r.id().equals(pid("sam"))).extracting(PersonRow::version)
                    .as("the second $set_once changes nothing").containsExactly(0L);
            assertThat(reader.distinctIds).contains(new PersonDistinctIdRow(T, anon, merged, 1, 0));
        }
    }

    private JobClient start(EventsJobConfig config, String savepoint) throws Exception {
        Map<String, String> conf = new HashMap<>();
        conf.put("state.backend.type", "rocksdb");
        conf.put("execution.checkpointing.interval", "500 ms");
        conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        conf.put("pipeline.generic-types", "false");
        if (savepoint != null) {
            conf.put("execution.state-recovery.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        env.setParallelism(EventsJobIT.PARALLELISM);
        env.setMaxParallelism(EventsJobIT.MAX_PARALLELISM);
        EventsJob.fromConfig(config).build(env);
        return env.executeAsync(savepoint == null ? "events-before-savepoint" : "events-from-savepoint");
    }

    static CapturedEvent at(String distinctId, int seconds, String eventJson) {
        return TestEvents.captured(T, distinctId, eventJson, B + seconds * 1000L);
    }

    static String pid(String distinctId) {
        return DistinctIds.personUuid(T, distinctId);
    }

    private static void produce(String topic, List<CapturedEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (CapturedEvent c : events) {
                producer.send(new ProducerRecord<>(topic, c.token() + ":" + c.distinctId(), Json.encode(c)));
            }
        }
    }

    /** Reads the events, person and distinct-id topics read_committed, as ClickHouse does. */
    static final class Reader implements AutoCloseable {
        final List<EnrichedEvent> events = new ArrayList<>();
        final List<PersonRow> persons = new ArrayList<>();
        final List<PersonDistinctIdRow> distinctIds = new ArrayList<>();
        private final Map<String, String> topics;
        private final KafkaConsumer<byte[], byte[]> consumer;

        Reader(Map<String, String> topics) {
            this.topics = topics;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topics.get("events"));
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topics.get("events-json"), topics.get("person"), topics.get("distinct-ids")));
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.topic().equals(topics.get("events-json"))) {
                    events.add(Json.decode(r.value(), EnrichedEvent.class));
                } else if (r.topic().equals(topics.get("person"))) {
                    persons.add(Json.decode(r.value(), PersonRow.class));
                } else {
                    distinctIds.add(Json.decode(r.value(), PersonDistinctIdRow.class));
                }
            }
        }

        boolean has(CapturedEvent c) {
            return events.stream().anyMatch(e -> e.uuid().equals(c.uuid()));
        }

        EnrichedEvent event(CapturedEvent c) {
            return events.stream().filter(e -> e.uuid().equals(c.uuid())).findFirst().orElseThrow();
        }

        void await(java.util.concurrent.Callable<Boolean> condition) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        poll();
                        return condition.call();
                    });
        }

        void drainFor(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < end) {
                poll();
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
