package io.reflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.contracts.reader.BlockRef;
import io.reflow.contracts.reader.SessionRecordingReader;
import io.reflow.jobs.events.DistinctIds;
import io.reflow.contracts.reader.S3BlockSource;
import io.reflow.testsupport.flink.FlinkCluster;
import io.reflow.testsupport.flink.FlinkClusterSettings;
import io.reflow.testsupport.flink.FlinkCommandResult;
import io.reflow.testsupport.kafka.KafkaExtension;
import io.reflow.testsupport.s3.S3Extension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both jobs as an operator runs them: on a real standalone session cluster (JobManager and TaskManager JVMs from
 * flink-conf/ with the local overlay, RocksDB, checkpoints and savepoints on S3), against a real Kafka broker and
 * S3Proxy, submitted from the shaded jobs jar with the Flink CLI ({@code run -d -c ...}), stopped with a savepoint
 * ({@code stop --savepointPath}) and resubmitted from it ({@code run -s ...}).
 *
 * <p>Before the stop the replay job only buffers (a flush age far beyond the test), so every recording sent before the
 * stop exists only in open session buffers in RocksDB when the savepoint is taken; the events job has merged an
 * anonymous person into an identified one. More data arrives while no job runs. After the resubmission (the replay job
 * now flushing at every checkpoint) every rrweb event is in exactly one committed block, events are published once
 * each, and an event of the merged-away distinct id resolves to the merged person with the properties set before
 * the stop.
 */
class JobsOnClusterIT {
    private static final long RECORDING_TEAM = 1;
    private static final long EVENTS_TEAM = 2;
    private static final String TOKEN = "phc_ops_it";
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @RegisterExtension
    @Order(2)
    static final S3Extension S3 = new S3Extension();

    @TempDir
    Path dir;

    @Test
    void stopWithSavepointAndResubmitLosesAndDuplicatesNothingAndKeepsBuffersAndPersons() throws Exception {
        long started = System.nanoTime();
        Map<String, String> topics = new TreeMap<>();
        for (String t : List.of("recordings", "events", "person-merges")) {
            topics.put(t, KAFKA.freshTopic(t, 2));
        }
        for (String t : List.of("session-replay-events", "log-entries", "dead-letter", "events-json", "person",
                "person-distinct-id", "ingestion-warnings")) {
            topics.put(t, KAFKA.freshTopic(t, 1));
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path replayConfig = properties("replay.properties", topics, Map.of(
                "kafka.group-id", "ops-replay-" + id,
                "kafka.transactional-id-prefix", "ops-replay-" + id,
                "output.base", "s3://" + S3.bucket() + "/recordings",
                "checkpoint.interval-ms", "1000",
                // nothing is written before the stop: the recordings live in open session buffers only
                "flush.age-ms", "3600000",
                "flush.idle-ms", "3600000"));
        Path eventsConfig = properties("events.properties", topics, Map.of(
                "kafka.group-id", "ops-events-" + id,
                "kafka.transactional-id-prefix", "ops-events-" + id,
                "checkpoint.interval-ms", "1000"));
        Path jar = OpsPaths.jobsJar();

        FlinkClusterSettings settings = FlinkClusterSettings.local(OpsPaths.flinkConf(), dir.resolve("flink"))
                .withS3(S3.endpoint(), S3.accessKey(), S3.secretKey())
                .withConfiguration("execution.checkpointing.dir", "s3://" + S3.bucket() + "/flink/checkpoints")
                .withConfiguration("execution.checkpointing.savepoint-dir", "s3://" + S3.bucket() + "/flink/savepoints");
        List<String> timeline = new ArrayList<>();
        try (FlinkCluster cluster = FlinkCluster.start(settings); Topics kafka = new Topics(KAFKA.bootstrapServers())) {
            Clock clock = new Clock(started, timeline);
            clock.mark("cluster up at " + cluster.restUrl());
            String replay1 = submit(cluster, "io.reflow.jobs.replay.ReplayJob", jar, replayConfig, null, List.of());
            String events1 = submit(cluster, "io.reflow.jobs.events.EventsJob", jar, eventsConfig, null, List.of());
            awaitRunning(cluster, replay1);
            awaitRunning(cluster, events1);
            clock.mark("both jobs running");

            // ---- phase 1: recordings into open buffers; an anonymous person merged into an identified one
            Recordings recordings = new Recordings();
            for (int k = 0; k < 3; k++) {
                for (String session : List.of("ops-a", "ops-b", "ops-c")) {
                    kafka.send(topics.get("recordings"), session, recordings.message(session));
                }
            }
            String anon = "anon-" + id;
            String user = "user-" + id;
            CapturedEvent pageview = event(anon, "{\"event\":\"$pageview\",\"properties\":{\"$set\":{\"plan\":\"free\"}}}");
            CapturedEvent identify = event(user, "{\"event\":\"$identify\",\"properties\":{\"$anon_distinct_id\":\"" + anon
                    + "\",\"$set\":{\"email\":\"u@example.com\"}}}");
            kafka.send(topics.get("events"), TOKEN + ":" + anon, pageview);
            kafka.send(topics.get("events"), TOKEN + ":" + user, identify);
            step("the merge of " + anon + " into " + user).until(() -> kafka.readCommitted(topics.get("person-distinct-id"),
                    PersonDistinctIdRow.class).stream().anyMatch(r -> r.distinctId().equals(anon) && r.personId().equals(pid(user))));
            step("replay job consumed phase 1").until(() -> kafka.groupCaughtUp("ops-replay-" + id, topics.get("recordings")));
            clock.mark("phase 1 consumed (" + recordings.sent.size() + " recording messages, 2 events)");

            // ---- stop both with savepoints
            String replaySavepoint = stop(cluster, replay1);
            String eventsSavepoint = stop(cluster, events1);
            clock.mark("stopped with savepoints " + replaySavepoint + ", " + eventsSavepoint);
            assertThat(replaySavepoint).startsWith("s3://" + S3.bucket() + "/flink/savepoints/");
            assertThat(kafka.readCommitted(topics.get("session-replay-events"), SessionBlockSummary.class))
                    .as("blocks written before the stop (all recordings must still be in open buffers)").isEmpty();

            // ---- phase 2, while no job runs
            for (String session : List.of("ops-a", "ops-b", "ops-d")) {
                kafka.send(topics.get("recordings"), session, recordings.message(session));
            }
            CapturedEvent afterMerge = event(anon, "{\"event\":\"clicked\",\"properties\":{\"button\":\"buy\"}}");
            CapturedEvent newcomer = event("solo-" + id, "{\"event\":\"$pageview\",\"properties\":{}}");
            kafka.send(topics.get("events"), TOKEN + ":" + anon, afterMerge);
            kafka.send(topics.get("events"), TOKEN + ":" + newcomer.distinctId(), newcomer);

            // ---- resubmit from the savepoints; the replay job now writes every buffered session at each checkpoint
            String replay2 = submit(cluster, "io.reflow.jobs.replay.ReplayJob", jar, replayConfig, replaySavepoint,
                    List.of("--flush.age-ms", "0", "--flush.idle-ms", "0"));
            String events2 = submit(cluster, "io.reflow.jobs.events.EventsJob", jar, eventsConfig, eventsSavepoint, List.of());
            awaitRunning(cluster, replay2);
            awaitRunning(cluster, events2);
            assertRestoredFrom(cluster, replay2, replaySavepoint);
            assertRestoredFrom(cluster, events2, eventsSavepoint);
            clock.mark("resubmitted from the savepoints");

            long expectedEvents = recordings.sent.stream().mapToLong(m -> m.events().size()).sum();
            step("every recorded event in a committed block").until(() -> kafka.readCommitted(topics.get("session-replay-events"),
                    SessionBlockSummary.class).stream().mapToLong(SessionBlockSummary::eventCount).sum() >= expectedEvents);
            step("the events after the restart").until(() -> kafka.readCommitted(topics.get("events-json"), EnrichedEvent.class)
                    .stream().anyMatch(e -> e.uuid().equals(afterMerge.uuid())));
            Thread.sleep(3_000); // a few more checkpoints: anything published twice would show now
            clock.mark("outputs complete");
            cancel(cluster, replay2);
            cancel(cluster, events2);

            // ---- replay: every event exactly once, read back through the blocks' ranged GETs
            List<SessionBlockSummary> rows = kafka.readCommitted(topics.get("session-replay-events"), SessionBlockSummary.class);
            assertThat(rows.stream().mapToLong(SessionBlockSummary::eventCount).sum()).isEqualTo(expectedEvents);
            SessionRecordingReader reader = new SessionRecordingReader(new S3BlockSource(S3.client()));
            Map<String, List<SessionBlockSummary>> bySession = rows.stream().collect(Collectors.groupingBy(SessionBlockSummary::sessionId));
            assertThat(bySession.keySet()).containsExactlyInAnyOrder("ops-a", "ops-b", "ops-c", "ops-d");
            List<String> stored = new ArrayList<>();
            for (Map.Entry<String, List<SessionBlockSummary>> session : bySession.entrySet()) {
                for (RecordingBlock.Entry entry : reader.readAll(BlockRef.fromSummaries(session.getValue()))) {
                    assertThat(entry.event().path("data").path("session").asText()).isEqualTo(session.getKey());
                    stored.add(entry.event().path("data").path("marker").asText());
                }
            }
            assertThat(stored).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(recordings.markers());

            // ---- events: each once; the merged-away id's event after the restart resolves to the merged person
            List<EnrichedEvent> events = kafka.readCommitted(topics.get("events-json"), EnrichedEvent.class);
            assertThat(events).extracting(EnrichedEvent::uuid).containsExactlyInAnyOrder(
                    pageview.uuid(), identify.uuid(), afterMerge.uuid(), newcomer.uuid());
            EnrichedEvent clicked = events.stream().filter(e -> e.uuid().equals(afterMerge.uuid())).findFirst().orElseThrow();
            assertThat(clicked.personId()).isEqualTo(pid(user));
            JsonNode personProperties = Json.mapper().readTree(clicked.personProperties());
            assertThat(personProperties.path("plan").asText()).isEqualTo("free");
            assertThat(personProperties.path("email").asText()).isEqualTo("u@example.com");
            List<PersonRow> persons = kafka.readCommitted(topics.get("person"), PersonRow.class);
            Set<String> versions = new HashSet<>();
            for (PersonRow p : persons) {
                assertThat(versions.add(p.id() + "@" + p.version())).as("person %s version %d published once", p.id(), p.version()).isTrue();
            }
            assertThat(persons).anyMatch(p -> p.id().equals(pid("solo-" + id)));
            clock.mark("verified " + rows.size() + " blocks, " + stored.size() + " recorded events, " + events.size() + " events");
        } finally {
            System.out.println("JobsOnClusterIT timeline:\n  " + String.join("\n  ", timeline));
        }
    }

    // ------------------------------------------------------------------------------------------------ the CLI

    private static String submit(FlinkCluster cluster, String mainClass, Path jar, Path config, String savepoint,
                                 List<String> overrides) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "-p", "2"));
        if (savepoint != null) {
            args.addAll(List.of("-s", savepoint));
        }
        args.addAll(List.of("-c", mainClass, jar.toString(), "--config", config.toString()));
        args.addAll(overrides);
        FlinkCommandResult result = cluster.cli(CLI_TIMEOUT, args).requireSuccess();
        return result.submittedJobId().orElseThrow(() -> new AssertionError("no job id in:\n" + result.output()));
    }

    private static String stop(FlinkCluster cluster, String jobId) {
        FlinkCommandResult result = cluster.cli(CLI_TIMEOUT, List.of("stop", "--savepointPath",
                "s3://" + S3.bucket() + "/flink/savepoints", jobId)).requireSuccess();
        step("job " + jobId + " finished").until(() -> jobState(cluster, jobId).equals("FINISHED"));
        return result.savepointPath().orElseThrow(() -> new AssertionError("no savepoint path in:\n" + result.output()));
    }

    private static void cancel(FlinkCluster cluster, String jobId) {
        cluster.cli(CLI_TIMEOUT, List.of("cancel", jobId)).requireSuccess();
        step("job " + jobId + " cancelled").until(() -> jobState(cluster, jobId).equals("CANCELED"));
    }

    private static void awaitRunning(FlinkCluster cluster, String jobId) {
        step("job " + jobId + " running").until(() -> {
            JsonNode job = cluster.rest("/jobs/" + jobId);
            if (!job.path("state").asText().equals("RUNNING")) {
                return false;
            }
            for (JsonNode vertex : job.path("vertices")) {
                if (!vertex.path("status").asText().equals("RUNNING")) {
                    return false;
                }
            }
            return true;
        });
    }

    private static void assertRestoredFrom(FlinkCluster cluster, String jobId, String savepoint) {
        JsonNode restored = cluster.rest("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        assertThat(restored.path("is_savepoint").asBoolean()).as("job %s restored from a savepoint", jobId).isTrue();
        assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);
    }

    private static String jobState(FlinkCluster cluster, String jobId) {
        return cluster.rest("/jobs/" + jobId).path("state").asText();
    }

    private static ConditionFactory step(String what) {
        return Awaitility.await().alias(what).atMost(STEP).pollInterval(Duration.ofMillis(250));
    }

    // ------------------------------------------------------------------------------------------------ the input

    private Path properties(String name, Map<String, String> topics, Map<String, String> settings) throws IOException {
        StringBuilder s = new StringBuilder("kafka.bootstrap-servers=" + KAFKA.bootstrapServers() + "\n");
        topics.forEach((key, topic) -> s.append("topic.").append(key).append('=').append(topic).append('\n'));
        settings.forEach((key, value) -> s.append(key).append('=').append(value).append('\n'));
        return Files.writeString(dir.resolve(name), s.toString());
    }

    /** Recording messages of two rrweb events each, every event marked with a unique id and its session. */
    private static final class Recordings {
        final List<RecordingMessage> sent = new ArrayList<>();
        private final Map<String, Integer> perSession = new HashMap<>();
        private final long base = System.currentTimeMillis() - 60_000;

        RecordingMessage message(String session) {
            int n = perSession.merge(session, 1, Integer::sum);
            List<JsonNode> events = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ObjectNode event = Json.mapper().createObjectNode();
                event.put("type", 3);
                event.put("timestamp", base + n * 1000L + i);
                ObjectNode data = event.putObject("data");
                data.put("source", 1);
                data.put("session", session);
                data.put("marker", session + "-m" + n + "-e" + i);
                events.add(event);
            }
            RecordingMessage m = new RecordingMessage(RECORDING_TEAM, session, "window-1", "person-" + session, "web",
                    "web", System.currentTimeMillis(), null, "30d", events);
            sent.add(m);
            return m;
        }

        List<String> markers() {
            return sent.stream().flatMap(m -> m.events().stream()).map(e -> e.path("data").path("marker").asText()).toList();
        }
    }

    private static CapturedEvent event(String distinctId, String eventJson) {
        try {
            ObjectNode event = (ObjectNode) Json.mapper().readTree(eventJson);
            Instant now = Instant.now();
            event.put("timestamp", now.minusMillis(100).toString());
            return new CapturedEvent(UUID.randomUUID().toString(), distinctId, EVENTS_TEAM, TOKEN, "203.0.113.9",
                    now.toString(), now.toEpochMilli(), now.minusMillis(50).toString(), event);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String pid(String distinctId) {
        return DistinctIds.personUuid(EVENTS_TEAM, distinctId);
    }

    /** Timestamps of the test's steps, printed at the end. */
    private record Clock(long started, List<String> timeline) {
        void mark(String what) {
            timeline.add(String.format("%6.1fs %s", (System.nanoTime() - started) / 1e9, what));
        }
    }
}
