package io.reflow.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionKeyRow;
import io.reflow.contracts.crypto.BlockEncryption;
import io.reflow.contracts.crypto.BlockKeys;
import io.reflow.contracts.crypto.DataKey;
import io.reflow.contracts.crypto.MasterKey;
import io.reflow.contracts.reader.BlockRef;
import io.reflow.contracts.reader.SessionRecordingReader;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.replay.ReplayJob;
import io.reflow.jobs.replay.ReplayJobConfig;
import io.reflow.contracts.reader.S3BlockSource;
import io.reflow.schemas.Migrator;
import io.reflow.schemas.Variant;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.flink.FlinkS3;
import io.reflow.testsupport.kafka.KafkaExtension;
import io.reflow.testsupport.s3.S3Extension;
import io.reflow.viewer.RecordingDeletion;
import io.reflow.viewer.ViewerConfig;
import io.reflow.viewer.ViewerServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * The privacy proof, with real components all the way: the replay job (MiniCluster) encrypts two sessions of one team
 * into one batch file on a real S3 API server, their summary rows and wrapped keys reach ClickHouse through real Kafka
 * and the real migrations' Kafka tables; deleting one session through the viewer's API destroys its key and summary
 * rows, its bytes stay in S3 but no key left in the keystore opens them, and the other session still replays exactly.
 */
class RecordingDeletionIT {
    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @RegisterExtension
    @Order(2)
    static final S3Extension S3 = new S3Extension();

    @RegisterExtension
    @Order(3)
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    @RegisterExtension
    @Order(4)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1)
            .setConfiguration(Configuration.fromMap(Map.of("state.backend.type", "rocksdb"))).build());

    static final String API_KEY = "privacy-it-key";
    /** A key configured without scopes: it may read, not delete. */
    static final String READ_ONLY_KEY = "privacy-it-read-only-key";

    @TempDir
    Path dir;
    MasterKey master;

    @Test
    void aDeletedSessionsBytesStayInS3ButNoKeyOpensThemAndItsNeighbourInTheSameFileStillReplays() throws Exception {
        FlinkS3.initialize(FlinkS3.configuration(S3.endpoint(), S3.accessKey(), S3.secretKey()));
        String masterText = MasterKey.generateBase64();
        Path masterFile = dir.resolve("master.key");
        Files.writeString(masterFile, masterText);
        master = MasterKey.fromBase64(masterText);

        Map<String, String> topics = new HashMap<>();
        for (String variable : List.of("SESSION_REPLAY_EVENTS_TOPIC", "LOG_ENTRIES_TOPIC", "EVENTS_JSON_TOPIC", "PERSON_TOPIC",
                "PERSON_DISTINCT_ID_TOPIC", "INGESTION_WARNINGS_TOPIC", "DEAD_LETTER_TOPIC", "SESSION_KEYS_TOPIC")) {
            topics.put(variable, KAFKA.freshTopic(variable.toLowerCase(), 1));
        }
        String database = "privacy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        CLICKHOUSE.query("CREATE DATABASE " + database);
        Map<String, String> vars = new HashMap<>(topics);
        vars.put("KAFKA_BROKERS", KAFKA.bootstrapServers());
        vars.put("KAFKA_GROUP_PREFIX", database + "_");
        vars.put("KAFKA_FLUSH_INTERVAL_MS", "500");
        Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);

        String recordings = KAFKA.freshTopic("recordings", 1);
        RecordingMessage deleted = message(1, "doomed-session", "alice", "alice's secret").withEncrypt(true);
        RecordingMessage kept = message(1, "kept-session", "bob", "bob's words").withEncrypt(true);
        RecordingMessage plain = message(2, "plain-session", "carol", "carol's words");
        RecordingMessage persons = message(1, "person-session", "dave", "dave's words").withEncrypt(true);
        for (RecordingMessage m : List.of(deleted, kept, plain, persons)) {
            produce(recordings, m.sessionId(), Json.encode(m));
        }

        ReplayJobConfig config = ReplayJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "topic.recordings", recordings,
                "topic.session-replay-events", topics.get("SESSION_REPLAY_EVENTS_TOPIC"),
                "topic.log-entries", topics.get("LOG_ENTRIES_TOPIC"),
                "topic.dead-letter", topics.get("DEAD_LETTER_TOPIC"),
                "topic.session-keys", topics.get("SESSION_KEYS_TOPIC"),
                "kafka.transactional-id-prefix", "privacy-" + recordings,
                "output.base", "s3://" + S3.bucket() + "/recordings",
                "flush.age-ms", "0",
                "encryption.master-key-file", masterFile.toString())));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(2000, CheckpointingMode.EXACTLY_ONCE);
        ReplayJob.fromConfig(config).build(env);
        JobClient job = env.executeAsync("privacy-it");
        ViewerServer viewer = null;
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() ->
                    CLICKHOUSE.query("SELECT uniqExact(session_id) FROM " + database + ".session_replay_events").strip().equals("4")
                            && CLICKHOUSE.query("SELECT count() FROM " + database + ".session_keys").strip().equals("3"));
            Map<String, List<BlockRef>> blocks = new HashMap<>();
            for (String session : List.of("doomed-session", "kept-session", "plain-session")) {
                blocks.put(session, blocksOf(database, session));
            }
            BlockUrl doomedBlock = blocks.get("doomed-session").get(0).url();
            assertThat(blocks.get("kept-session").get(0).url().key()).as("the sessions share one batch file")
                    .isEqualTo(doomedBlock.key());
            assertThat(blocks.get("plain-session").get(0).url().key()).isEqualTo(doomedBlock.key());
            byte[] doomedBytes = fetch(doomedBlock);
            assertThat(BlockEncryption.isEncrypted(doomedBytes)).isTrue();
            assertThat(new String(doomedBytes, StandardCharsets.ISO_8859_1)).doesNotContain("alice's secret");
            List<RecordingBlock.Entry> keptBefore = reader(database).readAll(blocks.get("kept-session"));
            assertThat(keptBefore).extracting(e -> e.event().path("data").path("text").asText()).contains("bob's words");

            Map<String, String> viewerEnv = new HashMap<>(Map.of(
                    "VIEWER_HOST", "127.0.0.1", "VIEWER_PORT", "0",
                    "CLICKHOUSE_URL", CLICKHOUSE.httpUrl(), "CLICKHOUSE_DATABASE", database,
                    "S3_ENDPOINT", S3.endpoint(), "S3_ACCESS_KEY", S3.accessKey(), "S3_SECRET_KEY", S3.secretKey(),
                    "VIEWER_API_KEYS", API_KEY + "=1,2/recordings:read,recordings:delete;" + READ_ONLY_KEY + "=1,2",
                    MasterKey.ENV, masterText));
            viewerEnv.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
            viewerEnv.put("SESSION_KEYS_TOPIC", topics.get("SESSION_KEYS_TOPIC"));
            viewer = ViewerServer.start(ViewerConfig.fromEnv(viewerEnv));
            String base = "http://127.0.0.1:" + viewer.port() + "/api/projects/1/sessions/";
            HttpResponse<String> snapshots = callWithKey("GET", base + "doomed-session/snapshots");
            assertThat(snapshots.statusCode()).isEqualTo(200);
            assertThat(snapshots.body()).as("the viewer decrypts transparently").contains("alice's secret");
            assertThat(call("DELETE", base + "doomed-session").statusCode()).as("no API key, no deletion").isEqualTo(401);
            HttpResponse<String> readOnly = callWithKey("DELETE", base + "doomed-session", READ_ONLY_KEY);
            assertThat(readOnly.statusCode()).as(readOnly.body()).isEqualTo(403);
            assertThat(Json.mapper().readTree(readOnly.body()).get("code").asText()).isEqualTo("missing_scope");
            assertThat(callWithKey("GET", base + "doomed-session/snapshots", READ_ONLY_KEY).body())
                    .as("a read-only key was refused before anything was deleted").contains("alice's secret");

            HttpResponse<String> deletion = callWithKey("DELETE", base + "doomed-session");
            assertThat(deletion.statusCode()).as(deletion.body()).isEqualTo(200);
            assertThat(Json.mapper().readTree(deletion.body()).get("keys_destroyed").asInt()).isEqualTo(1);
            assertThat(Json.mapper().readTree(deletion.body()).get("key_deletions_published").asBoolean()).isTrue();
            // the topic holds a deletion row after the key row, under the same key, with a higher version
            String doomedKey = BlockEncryption.keyId(doomedBytes).toString();
            List<SessionKeyRow> onTopic = keyRows(topics.get("SESSION_KEYS_TOPIC"), doomedKey, 2);
            assertThat(onTopic).extracting(SessionKeyRow::isDeleted).containsExactly(0, 1);
            assertThat(onTopic.get(1).wrappedKey()).isEmpty();
            assertThat(onTopic.get(1).version()).isGreaterThan(onTopic.get(0).version());

            // the bytes are still in S3 ...
            assertThat(fetch(doomedBlock)).isEqualTo(doomedBytes);
            // ... but no key the keystore still holds opens them, and its wrapped key is gone from the table
            List<DataKey> remaining = allKeys(database, master);
            assertThat(remaining).extracting(DataKey::id).doesNotContain(BlockEncryption.keyId(doomedBytes));
            for (DataKey key : remaining) {
                assertThat(BlockEncryption.decrypt(doomedBytes, BlockKeys.of(List.of(key)))).isEmpty();
            }
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_keys WHERE key_id = '"
                    + BlockEncryption.keyId(doomedBytes) + "' AND wrapped_key != ''").strip()).isEqualTo("0");
            try (var events = reader(database).read(blocks.get("doomed-session"))) {
                assertThat(events.hasNext()).isFalse();
                assertThat(events.allDeleted()).as("reads as deleted, not as an error").isTrue();
            }
            // its summary rows are gone, the viewer no longer knows it
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events WHERE session_id = 'doomed-session'")
                    .strip()).isEqualTo("0");
            assertThat(callWithKey("GET", base + "doomed-session/snapshots").statusCode()).isEqualTo(404);
            assertThat(callWithKey("DELETE", base + "doomed-session").statusCode()).as("deleted already").isEqualTo(404);

            // the other session in the same batch file replays exactly as before
            assertThat(reader(database).readAll(blocksOf(database, "kept-session"))).isEqualTo(keptBefore);
            HttpResponse<String> keptSnapshots = callWithKey("GET", base + "kept-session/snapshots");
            assertThat(keptSnapshots.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(keptSnapshots.body())).containsExactlyElementsOf(kept.events());

            // the command line deletes a person's sessions (all their distinct ids) and, asked to, their events
            String person = UUID.randomUUID().toString();
            CLICKHOUSE.query("INSERT INTO " + database + ".person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version)"
                    + " VALUES (1, 'dave', '" + person + "', 0, 1), (1, 'dave-phone', '" + person + "', 0, 1)");
            CLICKHOUSE.query("INSERT INTO " + database + ".events (uuid, event, properties, timestamp, team_id, distinct_id, session_id)"
                    + " VALUES (generateUUIDv4(), '$pageview', '{}', now64(3), 1, 'dave', 'person-session'),"
                    + " (generateUUIDv4(), '$pageview', '{}', now64(3), 1, 'bob', 'kept-session')");
            assertThat(io.reflow.viewer.DeleteRecordings.run(new String[] {"--team", "1", "--person-id", person, "--events",
                    "--clickhouse-url", CLICKHOUSE.httpUrl(), "--kafka-bootstrap-servers", KAFKA.bootstrapServers()},
                    Map.of("CLICKHOUSE_DATABASE", database, "SESSION_KEYS_TOPIC", topics.get("SESSION_KEYS_TOPIC")))).isZero();
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events WHERE session_id = 'person-session'")
                    .strip()).isEqualTo("0");
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_keys WHERE session_id = 'person-session'"
                    + " AND wrapped_key != ''").strip()).isEqualTo("0");
            assertThat(CLICKHOUSE.query("SELECT distinct_id FROM " + database + ".events ORDER BY distinct_id").strip()).isEqualTo("bob");
            assertThat(callWithKey("GET", base + "kept-session/snapshots").statusCode()).isEqualTo(200);

            // a ClickHouse rebuilt from the topics (new database, new consumer groups, from the start) does not bring the
            // deleted keys back: their deletion rows follow the key rows on the topic and win
            String rebuilt = database + "_rebuilt";
            CLICKHOUSE.query("CREATE DATABASE " + rebuilt);
            Map<String, String> rebuiltVars = new HashMap<>(vars);
            rebuiltVars.put("KAFKA_GROUP_PREFIX", rebuilt + "_");
            Migrator.apply(CLICKHOUSE.jdbcUrl(rebuilt), Variant.SINGLE, rebuiltVars, false);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    CLICKHOUSE.query("SELECT count() FROM " + rebuilt + ".session_keys").strip().equals("5"));
            assertThat(CLICKHOUSE.query("SELECT session_id FROM " + rebuilt + ".session_keys FINAL WHERE is_deleted = 0"
                    + " ORDER BY session_id").strip()).as("only the kept session has a live key").isEqualTo("kept-session");
            // (FINAL hides deleted rows altogether; the newest version of each deleted key is its deletion row)
            assertThat(CLICKHOUSE.query("SELECT session_id, argMax(is_deleted, version), argMax(wrapped_key = '', version) FROM "
                    + rebuilt + ".session_keys WHERE session_id != 'kept-session' GROUP BY session_id ORDER BY session_id").strip())
                    .isEqualTo("doomed-session\t1\t1\nperson-session\t1\t1");
            CLICKHOUSE.query("DROP DATABASE " + rebuilt + " SYNC");

            // the HTTP API deletes a whole team, once the project id is confirmed; an unencrypted team's rows go too
            String project2 = base.replace("/projects/1/sessions/", "/projects/2/recordings");
            assertThat(callWithKey("DELETE", project2 + "?events=true").statusCode()).as("not confirmed").isEqualTo(400);
            HttpResponse<String> all = callWithKey("DELETE", project2 + "?confirm=2&events=true");
            assertThat(all.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(all.body()).get("sessions").asLong()).isEqualTo(1);
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events WHERE team_id = 2").strip())
                    .isEqualTo("0");
            assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events WHERE team_id = 1").strip())
                    .isNotEqualTo("0");

            // retention: once its key expires, a session reads as deleted although its file and summary rows are still there
            CLICKHOUSE.query("ALTER TABLE " + database + ".session_keys UPDATE expires_at = now64(3) - INTERVAL 1 SECOND"
                    + " WHERE session_id = 'kept-session'");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .until(() -> callWithKey("GET", base + "kept-session/snapshots").statusCode() != 200);
            HttpResponse<String> expired = callWithKey("GET", base + "kept-session/snapshots");
            assertThat(expired.statusCode()).as(expired.body()).isEqualTo(410);
            assertThat(Json.mapper().readTree(expired.body()).get("code").asText()).isEqualTo("deleted");
        } finally {
            if (viewer != null) {
                viewer.close();
            }
            job.cancel().get();
        }
    }

    private static RecordingMessage message(long team, String session, String distinctId, String typed) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        Json.mapper().readTree("""
                [{"type":4,"timestamp":1795300000000,"data":{"href":"http://shop/","width":800,"height":600}},
                 {"type":3,"timestamp":1795300000100,"data":{"source":5,"text":"%s","isChecked":false,"id":7}},
                 {"type":3,"timestamp":1795300000200,"data":{"source":2,"type":2,"id":8,"x":1,"y":2}}]
                """.formatted(typed)).forEach(events::add);
        return new RecordingMessage(team, session, "w-" + session, distinctId, "web", "web", 0L, null, "30d", events);
    }

    /** A reader with every live key of the keystore. */
    private SessionRecordingReader reader(String database) throws Exception {
        return new SessionRecordingReader(new S3BlockSource(S3.client()), BlockKeys.of(allKeys(database, master)));
    }

    /** Every live key of the keystore, unwrapped. */
    private static List<DataKey> allKeys(String database, MasterKey master) throws Exception {
        List<DataKey> keys = new ArrayList<>();
        String rows = CLICKHOUSE.query("SELECT team_id, session_id, key_id, wrapped_key FROM " + database
                + ".session_keys FINAL WHERE is_deleted = 0 AND wrapped_key != '' FORMAT JSONEachRow");
        for (String line : rows.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode r = Json.mapper().readTree(line);
            keys.add(master.unwrap(r.get("wrapped_key").asText(), UUID.fromString(r.get("key_id").asText()),
                    r.get("team_id").asLong(), r.get("session_id").asText()));
        }
        return keys;
    }

    private static List<BlockRef> blocksOf(String database, String session) throws Exception {
        String row = CLICKHOUSE.query("SELECT groupArrayArray(block_urls) AS urls FROM " + database
                + ".session_replay_events WHERE session_id = '" + session + "' FORMAT JSONEachRow");
        List<String> urls = new ArrayList<>();
        Json.mapper().readTree(row.strip()).get("urls").forEach(u -> urls.add(u.asText()));
        return BlockRef.fromUrls(urls);
    }

    private static byte[] fetch(BlockUrl url) {
        return S3.client().getObject(b -> b.bucket(url.bucket()).key(url.key()).range(url.rangeHeader()),
                ResponseTransformer.toBytes()).asByteArray();
    }

    private static HttpResponse<String> call(String method, String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> callWithKey(String method, String url) throws Exception {
        return callWithKey(method, url, API_KEY);
    }

    private static HttpResponse<String> callWithKey(String method, String url, String key) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The first {@code count} rows of the session keys topic under {@code keyId}, in topic order. */
    private static List<SessionKeyRow> keyRows(String topic, String keyId, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<SessionKeyRow> rows = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.currentTimeMillis() + 30_000;
            while (rows.size() < count && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (keyId.equals(r.key())) {
                        rows.add(Json.decode(r.value(), SessionKeyRow.class));
                    }
                }
            }
        }
        return rows;
    }

    private static void produce(String topic, String key, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }
}
