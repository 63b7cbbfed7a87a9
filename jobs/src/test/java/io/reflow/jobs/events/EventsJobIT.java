package io.reflow.jobs.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.JobArguments;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
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
 * The events job on a MiniCluster (parallelism 2 on two single-slot TaskManagers, RocksDB) against a real Kafka
 * broker, from capture-shaped records to every output topic, read {@code read_committed}: the real posthog-js
 * /e/ events plus scripted person scenarios (an identify merging two persons whose distinct ids live on different
 * subtasks, a merge refused, $set_once/$unset, illegal ids, dead letters), with a TaskManager lost while the merge
 * is under way. Every topic must then hold exactly the expected rows, each once.
 */
class EventsJobIT {
    static final int PARALLELISM = 2;
    static final int MAX_PARALLELISM = 128;
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
    void capturedEventsBecomeEnrichedEventsPersonsAndDistinctIdsExactlyOnceAcrossATaskManagerLoss(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Topics topics = new Topics();
        EventsJobConfig config = EventsJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "topic.events", topics.events,
                "topic.events-json", topics.eventsJson,
                "topic.person", topics.person,
                "topic.person-distinct-id", topics.distinctIds,
                "topic.ingestion-warnings", topics.warnings,
                "topic.person-merges", topics.merges,
                "topic.dead-letter", topics.deadLetters,
                "kafka.group-id", "it-" + topics.events,
                "kafka.transactional-id-prefix", "it-" + topics.events)));

        // an anonymous id and a user id whose state lives on different subtasks
        String anon = idOnSubtask("anon-", 0);
        String user = idOnSubtask("user-", 1);
        List<CapturedEvent> fixtures = TestEvents.fixtureEvents();
        String f1 = fixtures.get(0).distinctId();

        CapturedEvent a1 = at(anon, 0, "{\"event\":\"$pageview\",\"properties\":{\"$current_url\":\"https://shop.example/\","
                + "\"$browser\":\"Chrome\",\"utm_source\":\"ad\"}}");
        CapturedEvent s1 = at("sam", 1, "{\"event\":\"signed_up\",\"properties\":{\"$set_once\":{\"first\":\"1\"},\"$set\":{\"plan\":\"free\"}}}");
        CapturedEvent s2 = at("sam", 2, "{\"event\":\"upgraded\",\"properties\":{\"$set_once\":{\"first\":\"2\",\"second\":\"2\"},\"$unset\":[\"plan\"]}}");
        CapturedEvent carol = at("carol", 3, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"null\"}}");
        CapturedEvent undefined = at("undefined", 4, "{\"event\":\"clicked\",\"properties\":{\"$set\":{\"a\":1}}}");
        CapturedEvent u1 = at(user, 10, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + anon + "\"},"
                + "\"$set\":{\"email\":\"u@example.com\"},\"$set_once\":{\"$initial_utm_source\":\"direct\"}}");
        CapturedEvent alice = at("alice", 11, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + f1 + "\"},"
                + "\"$set\":{\"name\":\"Alice\"}}");
        CapturedEvent a2 = at(anon, 20, "{\"event\":\"$set\",\"properties\":{\"$set\":{\"plan\":\"pro\"}}}");
        CapturedEvent a3 = at(anon, 180, "{\"event\":\"$pageview\",\"properties\":{\"$process_person_profile\":false}}");
        CapturedEvent dave = at("dave", 21, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + anon + "\"}}");
        CapturedEvent noName = at("erin", 5, "{\"properties\":{}}");

        long started = System.nanoTime();
        JobClient job = start(config);
        try (Reader reader = new Reader(topics)) {
            // phase 1: the real posthog-js events (personless), a person with $set/$set_once/$unset, illegal ids, junk
            List<CapturedEvent> phase1 = new ArrayList<>(fixtures);
            phase1.addAll(List.of(a1, s1, s2, carol, undefined, noName));
            produce(topics.events, phase1);
            produceRaw(topics.events, "phc_test:x", "{not json".getBytes(StandardCharsets.UTF_8));
            reader.awaitEvents(fixtures.size() + 5);

            // phase 2: identify merges the anonymous person (other subtask) into the user's; alice identifies a
            // personless fixture id. A TaskManager is lost while the merge is under way (its first half is committed).
            produce(topics.events, List.of(u1, alice));
            reader.await(() -> reader.persons.stream().anyMatch(p -> p.id().equals(pid(user))));
            boolean mergedBeforeLoss = reader.events.stream().anyMatch(e -> e.uuid().equals(u1.uuid()));
            cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
            cluster.startTaskManager();
            awaitRunningAgain(cluster, job.getJobID());
            RestoredCheckpointStats restored = cluster.getExecutionGraph(job.getJobID()).get()
                    .getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
            assertThat(restored).as("restored from a checkpoint").isNotNull();
            System.out.println("EventsJobIT: TaskManager lost " + (mergedBeforeLoss ? "after" : "before")
                    + " the identify was published; restored from checkpoint " + restored.getCheckpointId());
            reader.awaitEvents(fixtures.size() + 7);

            // phase 3: events of the merged-away id are forwarded to its person; a second identify of it is refused
            produce(topics.events, List.of(a2, a3, dave));
            reader.awaitEvents(fixtures.size() + 10);
            reader.drainFor(Duration.ofSeconds(2));

            // ---------------------------------------------------------------------------------- events
            long a1Ts = ts(a1);
            long u1Ts = ts(u1);
            Map<String, EnrichedEvent> expected = new LinkedHashMap<>();
            for (CapturedEvent f : fixtures) {
                expected.put(f.uuid(), PersonLogic.personlessEvent(TestEvents.normalized(f)).toEnriched());
            }
            JsonNode pA = json("{\"$initial_browser\":\"Chrome\",\"$initial_current_url\":\"https://shop.example/\","
                    + "\"$initial_utm_source\":\"ad\",\"$browser\":\"Chrome\",\"$current_url\":\"https://shop.example/\",\"utm_source\":\"ad\"}");
            JsonNode pU0 = json("{\"email\":\"u@example.com\",\"$initial_utm_source\":\"direct\"}");
            JsonNode pU1 = merge(pA, "{\"email\":\"u@example.com\"}");
            JsonNode pU2 = merge(pU1, "{\"plan\":\"pro\"}");
            JsonNode pAlice = json("{\"name\":\"Alice\"}");
            expected.put(a1.uuid(), full(a1, pid(anon), pA, a1Ts));
            expected.put(s1.uuid(), full(s1, pid("sam"), json("{\"first\":\"1\",\"plan\":\"free\"}"), ts(s1)));
            expected.put(s2.uuid(), full(s2, pid("sam"), json("{\"first\":\"1\",\"second\":\"2\"}"), ts(s1)));
            expected.put(carol.uuid(), full(carol, pid("carol"), json("{}"), ts(carol)));
            expected.put(undefined.uuid(), PersonLogic.personlessEvent(TestEvents.normalized(undefined)).toEnriched());
            expected.put(u1.uuid(), full(u1, pid(user), pU1, a1Ts));
            expected.put(alice.uuid(), full(alice, pid("alice"), pAlice, ts(alice)));
            expected.put(a2.uuid(), full(a2, pid(user), pU2, a1Ts));
            expected.put(a3.uuid(), withPerson(a3, pid(user), "{}", a1Ts, "force_upgrade"));
            expected.put(dave.uuid(), full(dave, pid("dave"), json("{}"), ts(dave)));

            assertThat(reader.events).extracting(EnrichedEvent::uuid).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (EnrichedEvent e : reader.events) {
                EnrichedEvent want = expected.get(e.uuid());
                assertThat(e).as(e.event() + " of " + e.distinctId()).usingRecursiveComparison()
                        .ignoringFields("personProperties").isEqualTo(want);
                assertThat(json(e.personProperties())).as("person properties of " + e.uuid()).isEqualTo(json(want.personProperties()));
            }

            // ---------------------------------------------------------------------------------- persons
            assertThat(canonical(reader.persons, PersonRow::properties, r -> new PersonRow(r.id(), r.teamId(), "", r.isIdentified(),
                    r.createdAt(), r.version(), r.isDeleted()))).containsExactlyInAnyOrder(
                    person(anon, pA, 0, a1Ts, 0, 0),
                    person("sam", json("{\"first\":\"1\",\"plan\":\"free\"}"), 0, ts(s1), 0, 0),
                    person("sam", json("{\"first\":\"1\",\"second\":\"2\"}"), 0, ts(s1), 1, 0),
                    person("carol", json("{}"), 0, ts(carol), 0, 0),
                    person(user, pU0, 1, u1Ts, 0, 0),
                    person(anon, pA, 0, a1Ts, 100, 1),
                    new Canonical<>(new PersonRow(pid(user), T, "", 1, a1Ts, 1, 0), pU1),
                    person("alice", pAlice, 1, ts(alice), 0, 0),
                    new Canonical<>(new PersonRow(pid(user), T, "", 1, a1Ts, 2, 0), pU2),
                    person("dave", json("{}"), 1, ts(dave), 0, 0));

            // ---------------------------------------------------------------------------------- distinct ids
            assertThat(reader.distinctIds).containsExactlyInAnyOrder(
                    new PersonDistinctIdRow(T, anon, pid(anon), 0, 0),
                    new PersonDistinctIdRow(T, "sam", pid("sam"), 0, 0),
                    new PersonDistinctIdRow(T, "carol", pid("carol"), 0, 0),
                    new PersonDistinctIdRow(T, user, pid(user), 0, 0),
                    new PersonDistinctIdRow(T, anon, pid(user), 1, 0),
                    new PersonDistinctIdRow(T, "alice", pid("alice"), 0, 0),
                    new PersonDistinctIdRow(T, f1, pid("alice"), 1, 0),
                    new PersonDistinctIdRow(T, "dave", pid("dave"), 0, 0));

            // ---------------------------------------------------------------------------------- warnings
            assertThat(reader.warnings).extracting(IngestionWarning::type, w -> json(w.details()).path("eventUuid").asText())
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("illegal_distinct_id", undefined.uuid()),
                            org.assertj.core.groups.Tuple.tuple("cannot_merge_with_illegal_distinct_id", carol.uuid()),
                            org.assertj.core.groups.Tuple.tuple("cannot_merge_already_identified", dave.uuid()));
            assertThat(reader.warnings).allSatisfy(w -> {
                assertThat(w.teamId()).isEqualTo(T);
                assertThat(w.source()).isEqualTo("reflow-events");
            });

            // ---------------------------------------------------------------------------------- feedback and dead letters
            assertThat(reader.merges).extracting(m -> m.type).containsExactlyInAnyOrder(
                    PersonMessage.Type.MERGE_REQUEST, PersonMessage.Type.MERGE_STATE, // user ← anon (other subtask)
                    PersonMessage.Type.MERGE_REQUEST, PersonMessage.Type.JOIN, // alice ← personless fixture id
                    PersonMessage.Type.EVENT, // anon's $set forwarded to its person at user
                    PersonMessage.Type.MERGE_REQUEST, PersonMessage.Type.MERGE_REQUEST); // dave → anon → user: refused
            assertThat(reader.deadLetters).extracting(DeadLetter::reason)
                    .containsExactlyInAnyOrder("invalid_message", "missing_event_name");
        } finally {
            job.cancel().get();
            System.out.println("EventsJobIT: job ran " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
        }
    }

    // ------------------------------------------------------------------------------------------------ the job

    private JobClient start(EventsJobConfig config) throws Exception {
        Map<String, String> conf = new HashMap<>();
        conf.put("state.backend.type", "rocksdb");
        conf.put("execution.checkpointing.interval", "500 ms");
        conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        conf.put("restart-strategy.type", "fixed-delay");
        conf.put("restart-strategy.fixed-delay.attempts", "5");
        conf.put("restart-strategy.fixed-delay.delay", "200 ms");
        conf.put("pipeline.generic-types", "false"); // every record type has a Flink serializer (no Kryo)
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        env.setParallelism(PARALLELISM);
        env.setMaxParallelism(MAX_PARALLELISM);
        EventsJob.fromConfig(config).build(env);
        return env.executeAsync("events-it");
    }

    private static void awaitRunningAgain(MiniCluster cluster, JobID id) {
        Awaitility.await().alias("job running again after the TaskManager loss").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
                    if (graph.getState() != JobStatus.RUNNING) {
                        return false;
                    }
                    for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
                        if (v.getCurrentExecutionAttempt().getState() != ExecutionState.RUNNING
                                || v.getCurrentExecutionAttempt().getAttemptNumber() < 1) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** A distinct id (prefix + n) whose key the job's keyBy sends to {@code subtask}. */
    static String idOnSubtask(String prefix, int subtask) {
        for (int n = 0; ; n++) {
            String id = prefix + n;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(DistinctIds.key(T, id), MAX_PARALLELISM, PARALLELISM) == subtask) {
                return id;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ expectations

    static CapturedEvent at(String distinctId, int seconds, String eventJson) {
        return TestEvents.captured(T, distinctId, eventJson, B + seconds * 1000L);
    }

    static long ts(CapturedEvent c) {
        return TestEvents.normalized(c).timestamp();
    }

    static String pid(String distinctId) {
        return DistinctIds.personUuid(T, distinctId);
    }

    static JsonNode json(String s) {
        return TestEvents.tree(s);
    }

    static JsonNode merge(JsonNode base, String more) {
        com.fasterxml.jackson.databind.node.ObjectNode out = base.deepCopy();
        out.setAll((com.fasterxml.jackson.databind.node.ObjectNode) json(more));
        return out;
    }

    static EnrichedEvent full(CapturedEvent c, String personId, JsonNode props, long createdAt) {
        return withPerson(c, personId, props.toString(), createdAt, "full");
    }

    static EnrichedEvent withPerson(CapturedEvent c, String personId, String props, long createdAt, String mode) {
        NormalizedEvent e = TestEvents.normalized(c);
        return new EnrichedEvent(e.uuid(), e.event(), e.properties(), e.timestamp(), e.teamId(), e.distinctId(),
                e.elementsChain(), e.createdAt(), e.sessionId(), personId, props, createdAt, mode);
    }

    /** A row with its JSON column taken out, so rows compare whatever the key order of that JSON. */
    record Canonical<R>(R row, JsonNode json) {}

    static Canonical<PersonRow> person(String distinctId, JsonNode props, int identified, long createdAt, long version, int deleted) {
        return new Canonical<>(new PersonRow(pid(distinctId), T, "", identified, createdAt, version, deleted), props);
    }

    static <R> List<Canonical<R>> canonical(List<R> rows, Function<R, String> json, Function<R, R> without) {
        return rows.stream().map(r -> new Canonical<>(without.apply(r), json(json.apply(r)))).toList();
    }

    // ------------------------------------------------------------------------------------------------ kafka

    static final class Topics {
        final String events = KAFKA.freshTopic("events", 2);
        final String merges = KAFKA.freshTopic("person-merges", 2);
        final String eventsJson = KAFKA.freshTopic("events-json", 2);
        final String person = KAFKA.freshTopic("person", 1);
        final String distinctIds = KAFKA.freshTopic("person-distinct-id", 1);
        final String warnings = KAFKA.freshTopic("warnings", 1);
        final String deadLetters = KAFKA.freshTopic("dlq", 1);
    }

    private static void produce(String topic, List<CapturedEvent> events) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (CapturedEvent c : events) {
                producer.send(new ProducerRecord<>(topic, c.token() + ":" + c.distinctId(), Json.encode(c)));
            }
        }
    }

    private static void produceRaw(String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads every output topic read_committed, as ClickHouse's Kafka engine does. */
    static final class Reader implements AutoCloseable {
        final List<EnrichedEvent> events = new ArrayList<>();
        final List<PersonRow> persons = new ArrayList<>();
        final List<PersonDistinctIdRow> distinctIds = new ArrayList<>();
        final List<IngestionWarning> warnings = new ArrayList<>();
        final List<PersonMessage> merges = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        private final Topics topics;
        private final KafkaConsumer<byte[], byte[]> consumer;

        Reader(Topics topics) {
            this.topics = topics;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topics.events);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topics.eventsJson, topics.person, topics.distinctIds, topics.warnings, topics.merges,
                    topics.deadLetters));
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                String t = r.topic();
                if (t.equals(topics.eventsJson)) {
                    events.add(Json.decode(r.value(), EnrichedEvent.class));
                } else if (t.equals(topics.person)) {
                    persons.add(Json.decode(r.value(), PersonRow.class));
                } else if (t.equals(topics.distinctIds)) {
                    distinctIds.add(Json.decode(r.value(), PersonDistinctIdRow.class));
                } else if (t.equals(topics.warnings)) {
                    warnings.add(Json.decode(r.value(), IngestionWarning.class));
                } else if (t.equals(topics.merges)) {
                    merges.add(PersonMessage.decode(r.value()));
                } else if (t.equals(topics.deadLetters)) {
                    deadLetters.add(Json.decode(r.value(), DeadLetter.class));
                }
            }
        }

        void await(java.util.concurrent.Callable<Boolean> condition) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        poll();
                        return condition.call();
                    });
        }

        void awaitEvents(int count) {
            await(() -> events.size() >= count);
        }

        /** Keeps reading a while, so a duplicate published late would still be seen. */
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
