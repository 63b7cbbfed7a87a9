package io.reflow.testsupport.s3;

import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.RuntimeClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API server (S3Proxy over its filesystem store) on 127.0.0.1, running in a child JVM with the buckets
 * under {@code dataDir}. It checks AWS v2/v4 signatures against one access key / secret key pair. The data
 * survives {@link #stop()}, {@link #kill()} and {@link #restart()}; the port stays the same.
 */
public final class S3Server implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final long STOP_GRACE_SECONDS = 10;
    private static final List<String> JVM_ARGS = List.of("-Xms64m", "-Xmx512m", "-Djava.awt.headless=true",
            "-XX:+ExitOnOutOfMemoryError",
            // logback's own start-up chatter
            "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener");

    private final Path dataDir;
    private final S3ProxyConfig config;
    private final String classpath;
    private ChildProcess process;
    private S3Client client;

    private S3Server(Path dataDir, S3ProxyConfig config, String classpath) {
        this.dataDir = dataDir;
        this.config = config;
        this.classpath = classpath;
    }

    /**
     * Starts S3Proxy keeping its buckets in {@code dataDir} and returns once it answers authenticated requests.
     *
     * @param port the HTTP port, or 0 for a free one
     */
    public static S3Server start(Path dataDir, int port, String accessKey, String secretKey) {
        Path absoluteDir = dataDir.toAbsolutePath();
        S3ProxyConfig config = new S3ProxyConfig(Ports.orFree(port), accessKey, secretKey, absoluteDir.resolve("buckets"));
        S3Server server = new S3Server(absoluteDir, config, RuntimeClasspath.load("s3proxy"));
        server.launch();
        return server;
    }

    private void launch() {
        try {
            Files.createDirectories(config.baseDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + config.baseDir(), e);
        }
        Path properties = dataDir.resolve("s3proxy.properties");
        config.writeTo(properties);
        process = ChildProcess.startJava("s3proxy-" + config.port(), classpath, JVM_ARGS, "org.gaul.s3proxy.Main",
                List.of("--properties", properties.toString()), log());
        try {
            Ports.awaitAccepting(HOST, config.port(), STARTUP_TIMEOUT, process);
            client = S3Clients.create(endpoint(), accessKey(), secretKey());
            client.listBuckets();
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT} */
    public String endpoint() {
        return config.endpoint();
    }

    public int port() {
        return config.port();
    }

    public String accessKey() {
        return config.accessKey();
    }

    public String secretKey() {
        return config.secretKey();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** S3Proxy's output (appended across restarts). */
    public Path log() {
        return dataDir.resolve("s3proxy.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Creates the bucket, or does nothing if it exists. */
    public void createBucket(String name) {
        try {
            client().createBucket(b -> b.bucket(name));
        } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException e) {
            // already there
        } catch (SdkException e) {
            throw new IllegalStateException("cannot create bucket " + name + "; log tail:\n" + process.logTail(20), e);
        }
    }

    /** A client for this server, owned by it (closed on stop/kill): do not close it. */
    public S3Client client() {
        if (!isRunning()) {
            throw new IllegalStateException("S3 server on port " + config.port() + " is not running");
        }
        return client;
    }

    /** Graceful shutdown (SIGTERM). */
    public void stop() {
        closeClient();
        if (process != null) {
            process.stop(STOP_GRACE_SECONDS);
            process.close();
            process = null;
        }
    }

    /** SIGKILL, as in a crash. */
    public void kill() {
        closeClient();
        if (process != null) {
            process.kill();
            process.close();
            process = null;
        }
    }

    /** Stops the server if it runs, then starts it again on the same data dir and port. */
    public void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
