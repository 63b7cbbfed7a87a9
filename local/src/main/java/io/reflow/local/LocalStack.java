package io.reflow.local;

import io.reflow.capture.CaptureConfig;
import io.reflow.capture.CaptureServer;
import io.reflow.capture.KafkaRecordSink;
import io.reflow.capture.Team;
import io.reflow.capture.TeamRegistry;
import io.reflow.contracts.Topics;
import io.reflow.contracts.crypto.MasterKey;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.events.EventsJobConfig;
import io.reflow.jobs.replay.ReplayJobConfig;
import io.reflow.schemas.Migrator;
import io.reflow.schemas.Variant;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.clickhouse.ClickHouseServer;
import io.reflow.testsupport.flink.FlinkS3;
import io.reflow.testsupport.kafka.KafkaBroker;
import io.reflow.testsupport.s3.S3Clients;
import io.reflow.testsupport.s3.S3Server;
import io.reflow.viewer.ApiKeys;
import io.reflow.viewer.ViewerConfig;
import io.reflow.viewer.ViewerServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import sun.misc.Signal;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The whole system on one machine: embedded (or external) Kafka, S3 and ClickHouse, the replay job on
 * a Flink MiniCluster, and capture. {@link #start} returns once everything accepts traffic; {@link #close}
 * stops it all in reverse order.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    public static final String DEV_TOKEN = "phc_local_dev";
    /**
     * The personal API key the local viewer accepts (and hands to its page) for every team in the registry, with both
     * scopes: it reads and deletes recordings.
     */
    public static final String DEV_API_KEY = "phx_local_dev";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, String> urls = new java.util.LinkedHashMap<>();
    private String kafkaBootstrap;
    private String s3Endpoint;
    private String clickhouseUrl;
    private int capturePort;
    private int viewerPort;
    private Path teamRegistry;
    private Path masterKeyFile;

    private LocalStack() {}

    public static LocalStack start(LocalOptions options) throws Exception {
        LocalStack stack = new LocalStack();
        try {
            stack.startAll(options);
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(LocalOptions o) throws Exception {
        Path data = Files.createDirectories(o.dataDir());
        if (o.externalKafka() != null) {
            kafkaBootstrap = o.externalKafka();
        } else {
            KafkaBroker kafka = KafkaBroker.start(data.resolve("kafka"), Ports.orFree(o.kafkaPort()));
            started.push(kafka);
            kafkaBootstrap = kafka.bootstrapServers();
        }
        createTopics();
        urls.put("kafka", kafkaBootstrap);

        if (o.externalS3Endpoint() != null) {
            s3Endpoint = o.externalS3Endpoint();
        } else {
            S3Server s3 = S3Server.start(data.resolve("s3"), Ports.orFree(o.s3Port()), o.s3AccessKey(), o.s3SecretKey());
            started.push(s3);
            s3Endpoint = s3.endpoint();
        }
        createBucket(o);
        urls.put("s3", s3Endpoint + "/" + o.bucket());

        if (o.externalClickhouseUrl() != null) {
            clickhouseUrl = o.externalClickhouseUrl();
        } else {
            ClickHouseServer clickhouse = ClickHouseServer.start(data.resolve("clickhouse"), Ports.orFree(o.clickhousePort()));
            started.push(clickhouse);
            clickhouseUrl = clickhouse.httpUrl();
        }
        Migrator.apply(jdbcUrl(clickhouseUrl), Variant.SINGLE,
                Map.of("KAFKA_BROKERS", kafkaBootstrap, "KAFKA_FLUSH_INTERVAL_MS", "500"), false);
        urls.put("clickhouse", clickhouseUrl);

        masterKeyFile = LocalMasterKey.ensure(data.resolve("master.key"));
        Configuration s3Conf = FlinkS3.configuration(s3Endpoint, o.s3AccessKey(), o.s3SecretKey());
        FlinkS3.initialize(s3Conf);
        int uiPort = Ports.orFree(o.flinkUiPort());
        ReplayJobConfig replay = ReplayJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", kafkaBootstrap,
                "output.base", "s3://" + o.bucket() + "/recordings",
                "checkpoint.interval-ms", "2000",
                "flush.age-ms", "2000",
                "encryption.master-key-file", masterKeyFile.toString())));
        EventsJobConfig events = EventsJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", kafkaBootstrap,
                "checkpoint.interval-ms", "2000")));
        LocalFlinkJobs job = LocalFlinkJobs.start(data.resolve("flink"), uiPort, s3Conf, replay, events);
        started.push(job);
        urls.put("flink", "http://127.0.0.1:" + uiPort);

        teamRegistry = seedTeamRegistry(data.resolve("teams.json"));
        Map<String, String> env = new HashMap<>();
        env.put("CAPTURE_HOST", "127.0.0.1");
        env.put("CAPTURE_PORT", String.valueOf(Ports.orFree(o.capturePort())));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        env.put("TEAM_REGISTRY", teamRegistry.toString());
        CaptureConfig captureConfig = CaptureConfig.fromEnv(env);
        KafkaRecordSink sink = KafkaRecordSink.create(captureConfig);
        started.push(sink);
        TeamRegistry registry = TeamRegistry.load(teamRegistry, captureConfig.teamRegistryCheckInterval());
        CaptureServer capture = CaptureServer.start(captureConfig, sink, registry);
        started.push(capture);
        capturePort = capture.port();
        urls.put("capture", "http://127.0.0.1:" + capturePort);

        ViewerServer viewer = ViewerServer.start(ViewerConfig.fromEnv(viewerEnv(o, registry)));
        started.push(viewer);
        viewerPort = viewer.port();
        urls.put("viewer", "http://127.0.0.1:" + viewerPort + "/");
        urls.put("demo", "http://127.0.0.1:" + viewerPort + "/demo");
    }

    /** The viewer reads this stack's ClickHouse and S3; the dev key reads every team; the demo page records into capture. */
    private Map<String, String> viewerEnv(LocalOptions o, TeamRegistry registry) {
        List<Team> teams = registry.teams();
        String demoToken = teams.stream().map(Team::apiToken).filter(DEV_TOKEN::equals).findFirst()
                .orElse(teams.isEmpty() ? DEV_TOKEN : teams.get(0).apiToken());
        Map<String, String> env = new HashMap<>();
        env.put("VIEWER_HOST", "127.0.0.1");
        env.put("VIEWER_PORT", String.valueOf(Ports.orFree(o.viewerPort())));
        env.put("CLICKHOUSE_URL", clickhouseUrl);
        env.put("S3_ENDPOINT", s3Endpoint);
        env.put("S3_ACCESS_KEY", o.s3AccessKey());
        env.put("S3_SECRET_KEY", o.s3SecretKey());
        env.put("VIEWER_API_KEYS", DEV_API_KEY + "=" + (teams.isEmpty() ? "1"
                : teams.stream().map(t -> String.valueOf(t.teamId())).collect(Collectors.joining(",")))
                + "/" + ApiKeys.Scope.RECORDINGS_READ.label() + "," + ApiKeys.Scope.RECORDINGS_DELETE.label());
        env.put("VIEWER_PAGE_API_KEY", DEV_API_KEY);
        env.put("VIEWER_DEMO_CAPTURE_URL", "http://127.0.0.1:" + capturePort);
        env.put("VIEWER_DEMO_TOKEN", demoToken);
        env.put(MasterKey.FILE_ENV, masterKeyFile.toString());
        // deletions publish key deletion rows to the session keys topic (docs/PRIVACY.md)
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
        return env;
    }

    private void createTopics() throws Exception {
        LocalTopics.ensure(kafkaBootstrap, Map.ofEntries(
                Map.entry(Topics.RECORDINGS, 4),
                Map.entry(Topics.EVENTS, 4),
                Map.entry(Topics.DEAD_LETTER, 1),
                Map.entry(Topics.SESSION_REPLAY_EVENTS, 2),
                Map.entry(Topics.LOG_ENTRIES, 1),
                Map.entry(Topics.SESSION_KEYS, 1),
                Map.entry(Topics.EVENTS_JSON, 2),
                Map.entry(Topics.PERSON, 1),
                Map.entry(Topics.PERSON_DISTINCT_ID, 1),
                Map.entry(Topics.INGESTION_WARNINGS, 1),
                Map.entry(Topics.PERSON_MERGES, 4)));
    }

    private void createBucket(LocalOptions o) {
        try (S3Client s3 = S3Clients.create(s3Endpoint, o.s3AccessKey(), o.s3SecretKey())) {
            try {
                s3.createBucket(b -> b.bucket(o.bucket()));
            } catch (BucketAlreadyOwnedByYouException e) {
                // resumed on an existing data dir
            }
            RetentionLifecycle.apply(s3, o.bucket(), "recordings");
        }
    }

    private static Path seedTeamRegistry(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.writeString(file, """
                    {"teams": [
                      {"team_id": 1, "name": "local development", "api_token": "%s",
                       "recordings_enabled": true, "retention": "30d", "anonymize_ips": false,
                       "recording": {"mask_all_inputs": false}}
                    ]}
                    """.formatted(DEV_TOKEN), StandardCharsets.UTF_8);
        }
        return file;
    }

    static String jdbcUrl(String httpUrl) {
        return "jdbc:clickhouse:" + httpUrl;
    }

    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    public String s3Endpoint() {
        return s3Endpoint;
    }

    public String clickhouseUrl() {
        return clickhouseUrl;
    }

    public int capturePort() {
        return capturePort;
    }

    public int viewerPort() {
        return viewerPort;
    }

    public Path teamRegistry() {
        return teamRegistry;
    }

    public Map<String, String> urls() {
        return Map.copyOf(urls);
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    static void run(LocalOptions options) throws Exception {
        long t0 = System.nanoTime();
        LocalStack stack = LocalStack.start(options);
        CountDownLatch stop = new CountDownLatch(1);
        // Handle INT/TERM ourselves instead of in a shutdown hook: hooks run concurrently, and the child
        // processes' own hooks would kill Kafka while the Flink job is still taking its savepoint.
        for (String signal : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(signal), s -> stop.countDown());
        }
        System.out.printf("READY in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        stack.urls.forEach((name, url) -> System.out.printf("  %-11s %s%n", name, url));
        System.out.printf("  %-11s %s (project token %s)%n", "teams", stack.teamRegistry, DEV_TOKEN);
        System.out.printf("  %-11s %s (read and delete API: Authorization: Bearer %s)%n", "api key", DEV_API_KEY, DEV_API_KEY);
        System.out.printf("  %-11s %s%n", "data dir", options.dataDir());
        System.out.flush();
        stop.await();
        System.out.println("stopping (the replay job takes a savepoint first)…");
        stack.close();
        System.out.println("stopped");
        System.exit(0);
    }
}
