package io.reflow.viewer;

import io.reflow.contracts.Topics;
import io.reflow.contracts.crypto.MasterKey;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The viewer's settings, read from the environment in one place.
 *
 * <ul>
 *   <li>{@code VIEWER_HOST} (0.0.0.0), {@code VIEWER_PORT} (8020; 0 = any free port)</li>
 *   <li>{@code CLICKHOUSE_URL} (required, ClickHouse's HTTP interface, e.g. http://clickhouse:8123),
 *       {@code CLICKHOUSE_USER}, {@code CLICKHOUSE_PASSWORD}, {@code CLICKHOUSE_DATABASE} (default)</li>
 *   <li>{@code S3_ENDPOINT} (empty: AWS), {@code S3_REGION} (us-east-1), {@code S3_ACCESS_KEY},
 *       {@code S3_SECRET_KEY} (empty: the AWS default credential chain), {@code S3_PATH_STYLE} (true when an
 *       endpoint is set)</li>
 *   <li>{@code VIEWER_API_KEYS} (required): personal API keys, the projects (team ids) each may use and, after a
 *       {@code /}, its scopes: {@code key=1,2;other-key=3/recordings:read,recordings:delete}; a key without scopes
 *       may only read ({@link ApiKeys})</li>
 *   <li>{@code VIEWER_PAGE_API_KEY}: a key handed to every visitor of the web page (local development only;
 *       without it the page asks for a key)</li>
 *   <li>{@code VIEWER_DEMO_CAPTURE_URL} and {@code VIEWER_DEMO_TOKEN}: serve the demo page at {@code /demo}, with
 *       posthog-js sending to that capture with that project token (off when unset)</li>
 *   <li>{@code VIEWER_BLOCK_RETRY_MS} (5000): how long a missing block is retried; a block's summary row can be
 *       visible moments before its file is committed</li>
 *   <li>{@code REFLOW_MASTER_KEY} or {@code REFLOW_MASTER_KEY_FILE}: the master key that unwraps the data keys of
 *       encrypted recordings (without it, an encrypted recording answers 503 {@code no_master_key})</li>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} and {@code SESSION_KEYS_TOPIC} ({@code clickhouse_session_keys}): where a
 *       deletion publishes the deletion rows of the keys it destroys, so ClickHouse reading the topic again does not
 *       bring them back (unset: ClickHouse only; docs/PRIVACY.md)</li>
 * </ul>
 */
public record ViewerConfig(
        String host,
        int port,
        URI clickhouseUrl,
        String clickhouseUser,
        String clickhousePassword,
        String clickhouseDatabase,
        Optional<URI> s3Endpoint,
        String s3Region,
        Optional<String> s3AccessKey,
        Optional<String> s3SecretKey,
        boolean s3PathStyle,
        ApiKeys apiKeys,
        Optional<String> pageApiKey,
        Optional<Demo> demo,
        long blockRetryMillis,
        Optional<MasterKey> masterKey,
        Optional<String> kafkaBootstrapServers,
        String sessionKeysTopic) {

    /** The demo page's posthog-js target. */
    public record Demo(String captureUrl, String token) {}

    public static ViewerConfig fromEnv(Map<String, String> env) {
        Env e = new Env(env);
        Optional<URI> s3Endpoint = e.optional("S3_ENDPOINT").map(URI::create);
        Optional<String> captureUrl = e.optional("VIEWER_DEMO_CAPTURE_URL");
        Optional<String> token = e.optional("VIEWER_DEMO_TOKEN");
        if (captureUrl.isPresent() != token.isPresent()) {
            throw new IllegalArgumentException("VIEWER_DEMO_CAPTURE_URL and VIEWER_DEMO_TOKEN go together");
        }
        ApiKeys keys = ApiKeys.parse(e.required("VIEWER_API_KEYS"));
        Optional<String> pageKey = e.optional("VIEWER_PAGE_API_KEY");
        if (pageKey.isPresent() && keys.grantOf(pageKey.get()).isEmpty()) {
            throw new IllegalArgumentException("VIEWER_PAGE_API_KEY is not one of VIEWER_API_KEYS");
        }
        return new ViewerConfig(
                e.optional("VIEWER_HOST").orElse("0.0.0.0"),
                e.integer("VIEWER_PORT", 8020, 0, 65535),
                URI.create(e.required("CLICKHOUSE_URL").replaceAll("/+$", "")),
                e.optional("CLICKHOUSE_USER").orElse("default"),
                e.optional("CLICKHOUSE_PASSWORD").orElse(""),
                e.optional("CLICKHOUSE_DATABASE").orElse("default"),
                s3Endpoint,
                e.optional("S3_REGION").orElse("us-east-1"),
                e.optional("S3_ACCESS_KEY"),
                e.optional("S3_SECRET_KEY"),
                e.optional("S3_PATH_STYLE").map(Boolean::parseBoolean).orElse(s3Endpoint.isPresent()),
                keys,
                pageKey,
                captureUrl.map(url -> new Demo(url.replaceAll("/+$", ""), token.orElseThrow())),
                e.integer("VIEWER_BLOCK_RETRY_MS", 5000, 0, 600_000),
                MasterKey.fromEnv(env),
                e.optional("KAFKA_BOOTSTRAP_SERVERS"),
                e.optional("SESSION_KEYS_TOPIC").orElse(Topics.SESSION_KEYS));
    }

    private record Env(Map<String, String> env) {
        Optional<String> optional(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        String required(String name) {
            return optional(name).orElseThrow(() -> new IllegalArgumentException(name + " is required"));
        }

        int integer(String name, int defaultValue, int min, int max) {
            Optional<String> v = optional(name);
            if (v.isEmpty()) {
                return defaultValue;
            }
            try {
                int i = Integer.parseInt(v.get());
                if (i < min || i > max) {
                    throw new NumberFormatException();
                }
                return i;
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max + ", was '" + v.get() + "'");
            }
        }
    }
}
