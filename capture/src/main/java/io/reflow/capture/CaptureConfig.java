package io.reflow.capture;

import io.reflow.contracts.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything capture can be configured with, read once from the environment at startup.
 *
 * <p>Body limits are on the <em>decoded</em> (decompressed) size; the raw body a route accepts is
 * bounded separately at twice its decoded limit (base64 and URL-encoding inflate form bodies).
 *
 * @param trustedProxies the proxies whose {@code X-Forwarded-For} is believed ({@code CAPTURE_TRUSTED_PROXIES},
 *     comma-separated CIDRs; none by default, so the socket's peer address is the client's)
 * @param kafkaProducerOverrides extra producer properties from {@code KAFKA_PRODUCER_*} variables,
 *     e.g. {@code KAFKA_PRODUCER_SECURITY_PROTOCOL=SSL} becomes {@code security.protocol=SSL}
 */
public record CaptureConfig(
        String host,
        int port,
        String kafkaBootstrapServers,
        String recordingsTopic,
        String eventsTopic,
        String deadLetterTopic,
        Path teamRegistry,
        Duration teamRegistryCheckInterval,
        int maxEventsBytes,
        int maxBatchBytes,
        int maxRecordingsBytes,
        int kafkaMaxMessageBytes,
        String kafkaCompression,
        int kafkaLingerMs,
        Duration kafkaMessageTimeout,
        Map<String, String> kafkaProducerOverrides,
        int workerThreads,
        int maxQueuedRequests,
        Duration drainTimeout,
        TrustedProxies trustedProxies) {

    private static final int MB = 1024 * 1024;
    private static final Set<String> COMPRESSIONS = Set.of("zstd", "lz4", "gzip", "snappy", "none");
    private static final String PRODUCER_PREFIX = "KAFKA_PRODUCER_";

    public CaptureConfig {
        kafkaProducerOverrides = Map.copyOf(kafkaProducerOverrides);
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        if (!COMPRESSIONS.contains(kafkaCompression)) {
            throw new IllegalArgumentException("KAFKA_COMPRESSION must be one of " + COMPRESSIONS + ", got " + kafkaCompression);
        }
        requirePositive("CAPTURE_MAX_EVENTS_BYTES", maxEventsBytes);
        requirePositive("CAPTURE_MAX_BATCH_BYTES", maxBatchBytes);
        requirePositive("CAPTURE_MAX_RECORDINGS_BYTES", maxRecordingsBytes);
        requirePositive("KAFKA_MAX_MESSAGE_BYTES", kafkaMaxMessageBytes);
        requirePositive("CAPTURE_WORKER_THREADS", workerThreads);
        requirePositive("CAPTURE_MAX_QUEUED_REQUESTS", maxQueuedRequests);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("CAPTURE_PORT must be 0..65535, got " + port);
        }
    }

    /** The configuration with every default (port 8010, Kafka on localhost:9092, PostHog's topic names). */
    public static CaptureConfig defaults() {
        return fromEnv(Map.of());
    }

    public static CaptureConfig fromEnv(Map<String, String> env) {
        Reader r = new Reader(env);
        return new CaptureConfig(
                r.string("CAPTURE_HOST", "0.0.0.0"),
                r.integer("CAPTURE_PORT", 8010),
                r.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
                r.string("KAFKA_RECORDINGS_TOPIC", Topics.RECORDINGS),
                r.string("KAFKA_EVENTS_TOPIC", Topics.EVENTS),
                r.string("KAFKA_DEAD_LETTER_TOPIC", Topics.DEAD_LETTER),
                Path.of(r.string("TEAM_REGISTRY", "/etc/reflow/teams.json")),
                Duration.ofMillis(r.integer("TEAM_REGISTRY_CHECK_MS", 1000)),
                r.integer("CAPTURE_MAX_EVENTS_BYTES", 2 * MB),
                r.integer("CAPTURE_MAX_BATCH_BYTES", 20 * MB),
                r.integer("CAPTURE_MAX_RECORDINGS_BYTES", 25 * MB),
                r.integer("KAFKA_MAX_MESSAGE_BYTES", 1_000_000),
                r.string("KAFKA_COMPRESSION", "zstd").toLowerCase(Locale.ROOT),
                r.integer("KAFKA_LINGER_MS", 5),
                Duration.ofMillis(r.integer("KAFKA_MESSAGE_TIMEOUT_MS", 20_000)),
                producerOverrides(env),
                r.integer("CAPTURE_WORKER_THREADS", Math.max(4, 2 * Runtime.getRuntime().availableProcessors())),
                r.integer("CAPTURE_MAX_QUEUED_REQUESTS", 256),
                Duration.ofMillis(r.integer("CAPTURE_DRAIN_TIMEOUT_MS", 10_000)),
                TrustedProxies.parse(r.string("CAPTURE_TRUSTED_PROXIES", "")));
    }

    /** The largest raw (still encoded) body any route accepts. */
    int maxRawBodyBytes() {
        return rawLimit(Math.max(maxRecordingsBytes, Math.max(maxBatchBytes, maxEventsBytes)));
    }

    static int rawLimit(int decodedLimit) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 2L * decodedLimit);
    }

    private static Map<String, String> producerOverrides(Map<String, String> env) {
        Map<String, String> props = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith(PRODUCER_PREFIX) && k.length() > PRODUCER_PREFIX.length()) {
                props.put(k.substring(PRODUCER_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        return props;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private record Reader(Map<String, String> env) {
        String string(String name, String fallback) {
            String v = env.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        int integer(String name, int fallback) {
            String v = string(name, null);
            if (v == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'", e);
            }
        }
    }
}
