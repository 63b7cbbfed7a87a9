package io.reflow.viewer;

import com.sun.net.httpserver.HttpServer;
import io.reflow.contracts.reader.S3BlockSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The viewer: {@link ViewerApi} under {@code /api/} and {@link WebPages} everywhere else, on the JDK's HTTP
 * server (a read API for people, not a hot path).
 */
public final class ViewerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ViewerServer.class);

    private final HttpServer server;
    private final ExecutorService workers;
    private final S3Client s3;
    private final AutoCloseable keyDeletions;

    private ViewerServer(HttpServer server, ExecutorService workers, S3Client s3, AutoCloseable keyDeletions) {
        this.server = server;
        this.workers = workers;
        this.s3 = s3;
        this.keyDeletions = keyDeletions;
    }

    public static ViewerServer start(ViewerConfig config) {
        // without it every response waits out a 40 ms Nagle/delayed-ACK stall; read when the first server is created
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        WebPages pages = new WebPages(config.pageApiKey(), config.demo());
        S3Client s3 = S3Access.client(config);
        S3BlockSource blocks = new S3BlockSource(s3, Duration.ofMillis(config.blockRetryMillis()));
        KeyDeletionRows.KafkaKeyDeletionRows kafka = config.kafkaBootstrapServers()
                .map(servers -> KeyDeletionRows.kafka(servers, config.sessionKeysTopic())).orElse(null);
        if (kafka == null) {
            LOG.warn("KAFKA_BOOTSTRAP_SERVERS is not set: deletions destroy keys in ClickHouse only, and ClickHouse reading"
                    + " the session keys topic again would bring them back (docs/PRIVACY.md)");
        }
        try {
            ClickHouseHttp clickhouse = new ClickHouseHttp(config.clickhouseUrl(), config.clickhouseUser(),
                    config.clickhousePassword(), config.clickhouseDatabase());
            ViewerApi api = new ViewerApi(config.apiKeys(), new SessionCatalog(clickhouse), blocks,
                    new SessionKeys(clickhouse, config.masterKey()),
                    new RecordingDeletion(clickhouse, kafka == null ? KeyDeletionRows.NONE : kafka));
            HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
            ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
                Thread t = new Thread(r, "viewer-http");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(workers);
            server.createContext("/api/", api);
            server.createContext("/", pages);
            server.start();
            LOG.info("viewer listening on http://{}:{}", config.host(), server.getAddress().getPort());
            return new ViewerServer(server, workers, s3, kafka == null ? () -> { } : kafka);
        } catch (IOException e) {
            s3.close();
            if (kafka != null) {
                kafka.close();
            }
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s3.close();
        try {
            keyDeletions.close();
        } catch (Exception e) {
            LOG.warn("closing the key deletion producer failed: {}", e.toString());
        }
    }
}
