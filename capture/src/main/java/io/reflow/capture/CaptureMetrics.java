package io.reflow.capture;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Capture's meters, exposed in Prometheus text format on {@code GET /metrics}. Every label value comes
 * from a small fixed set (route patterns, HTTP statuses, reason codes), never from client input, so
 * the number of series stays bounded.
 */
final class CaptureMetrics implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Meters with labels, created on first use; the key is the meter name and its label values. */
    private final Map<String, Object> meters = new ConcurrentHashMap<>();

    CaptureMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** A gauge read at every scrape, e.g. requests in flight or queued. */
    <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    /** An answer left for a request on {@code route} with {@code status}, {@code nanos} after it arrived. */
    void answered(String route, int status, long nanos) {
        counter("capture.requests", "Requests answered, by route and HTTP status", "route", route, "status", Integer.toString(status))
                .increment();
        if (nanos >= 0) {
            this.<Timer>meter("capture.request.duration|" + route, () -> Timer.builder("capture.request.duration")
                    .description("Time from a request's arrival to its answer being written")
                    .tag("route", route).serviceLevelObjectives(LATENCY_BUCKETS).register(registry))
                    .record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The body as received (still encoded). */
    void requestBytes(String route, int bytes) {
        summary("capture.request.body", "Request body size as received (compressed/encoded)", route).record(bytes);
    }

    /** The body after gzip/base64/lz64 decoding. */
    void decodedBytes(String route, int bytes) {
        summary("capture.request.decoded", "Request body size after decoding (decompressed JSON)", route).record(bytes);
    }

    /** A request refused with an HTTP error; {@code reason} is the {@code code} of the JSON answer. */
    void rejected(String route, int status, String reason) {
        counter("capture.rejected", "Requests refused with an HTTP error, by route, status and reason",
                "route", route, "status", Integer.toString(status), "reason", reason).increment();
    }

    /** An item written to the dead-letter topic (counted once Kafka acknowledged it). */
    void deadLettered(String reason) {
        counter("capture.dead.letters", "Items written to the dead-letter topic, by reason", "reason", reason).increment();
    }

    /** Records acknowledged by the sink, by kind (events, recordings, dead_letter). */
    void written(String kind, int records, long bytes) {
        counter("capture.records.written", "Records acknowledged by Kafka, by kind", "kind", kind).increment(records);
        counter("capture.records.written.bytes", "Value bytes of the records acknowledged by Kafka, by kind", "kind", kind)
                .increment(bytes);
    }

    /** How long one request's records took to be acknowledged (or to fail), by outcome (ok, failed, timeout). */
    void sinkAck(String outcome, long nanos) {
        this.<Timer>meter("capture.kafka.ack|" + outcome, () -> Timer.builder("capture.kafka.ack")
                .description("Time from handing a request's records to Kafka until all were acknowledged or one failed")
                .tag("outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request answered as quota limited (nothing written): {@code resource} events/recordings, {@code reason} why. */
    void quotaLimited(String resource, String reason) {
        counter("capture.quota.limited", "Requests answered quota_limited without writing anything, by resource and reason",
                "resource", resource, "reason", reason).increment();
    }

    /** One rrweb event too large for a Kafka message, cut into {@code parts} part messages. */
    void eventParts(int parts) {
        counter("capture.recording.event.parts", "Parts written for rrweb events larger than a Kafka message").increment(parts);
        counter("capture.recording.events.cut", "rrweb events larger than a Kafka message, cut into parts").increment();
    }

    /** The exposition for {@code GET /metrics}. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private Counter counter(String name, String description, String... tags) {
        return meter(key(name, tags), () -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private DistributionSummary summary(String name, String description, String route) {
        return meter(name + "|" + route, () -> DistributionSummary.builder(name).description(description)
                .baseUnit("bytes").tag("route", route).register(registry));
    }

    @SuppressWarnings("unchecked")
    private <M> M meter(String key, Supplier<M> create) {
        Object m = meters.get(key);
        if (m == null) {
            m = meters.computeIfAbsent(key, k -> create.get());
        }
        return (M) m;
    }

    private static String key(String name, String... tags) {
        return name + "|" + String.join("|", tags);
    }
}
