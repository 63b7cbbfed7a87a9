package io.reflow.bench.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.Json;
import io.reflow.testsupport.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The benchmark's input: the events of the recorded posthog-js {@code /e/} batches, replayed round-robin as capture
 * writes them ({@link CapturedEvent}, key {@code token:distinct_id}), each with a fresh uuid and a distinct id drawn
 * uniformly from {@code distinctIds} ids. A share of them become {@code $identify} (with {@code $anon_distinct_id}
 * and a {@code $set}) or {@code $create_alias} (with {@code alias}) of another id drawn the same way. Every event
 * asks for person processing (posthog-js's {@code $process_person_profile: false} of the recordings is removed),
 * so each one goes through person state: the heavier case.
 */
final class SyntheticEvents {
    static final long TEAM = 1;
    static final String TOKEN = "phc_bench";

    /** What was produced. */
    record Produced(int events, int identifies, int aliases, int distinctIdsUsed, long bytes, int fixtureEvents) {
        double meanBytes() {
            return (double) bytes / events;
        }
    }

    private record Template(ObjectNode event, String now, long receivedAtMs, String sentAt) {}

    private SyntheticEvents() {}

    static Produced produce(String bootstrapServers, String topic, EventsBenchOptions options) {
        List<Template> templates = templates();
        SplittableRandom random = new SplittableRandom(options.seed());
        BitSet used = new BitSet(options.distinctIds());
        int identifies = 0;
        int aliases = 0;
        long bytes = 0;
        try (KafkaProducer<String, byte[]> producer = producer(bootstrapServers)) {
            for (int i = 0; i < options.events(); i++) {
                Template t = templates.get(i % templates.size());
                ObjectNode event = t.event().deepCopy();
                ObjectNode properties = (ObjectNode) event.get("properties");
                int n = random.nextInt(options.distinctIds());
                used.set(n);
                String distinctId = id(n);
                String uuid = new UUID((random.nextLong() & ~0xf000L) | 0x7000L,
                        (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L).toString();
                event.put("uuid", uuid);
                properties.put("distinct_id", distinctId);
                properties.remove("$process_person_profile");
                if (random.nextDouble() < options.mergeShare()) {
                    int other = random.nextInt(options.distinctIds());
                    used.set(other);
                    if (random.nextBoolean()) {
                        identifies++;
                        event.put("event", "$identify");
                        properties.put("$anon_distinct_id", id(other));
                        event.putObject("$set").put("email", distinctId + "@example.com");
                    } else {
                        aliases++;
                        event.put("event", "$create_alias");
                        properties.put("alias", id(other));
                    }
                }
                byte[] value = Json.encode(new CapturedEvent(uuid, distinctId, TEAM, TOKEN, "203.0.113.9", t.now(),
                        t.receivedAtMs(), t.sentAt(), event));
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, TOKEN + ":" + distinctId, value));
            }
            producer.flush();
        }
        return new Produced(options.events(), identifies, aliases, used.cardinality(), bytes, templates.size());
    }

    static String id(int n) {
        return "bench-user-" + n;
    }

    /** Every event of every recorded {@code /e/} request; capture received each request 120 ms after it was sent. */
    static List<Template> templates() {
        List<Path> files;
        try (Stream<Path> list = Files.list(Fixtures.posthogJsDir())) {
            files = list.filter(p -> p.getFileName().toString().endsWith("_POST_e_.request.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Template> out = new ArrayList<>();
        for (Path file : files) {
            JsonNode request;
            try {
                request = Json.mapper().readTree(file.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            JsonNode body = request.get("body");
            String sentAt = body.path("sent_at").isTextual() ? body.get("sent_at").asText() : null;
            if (sentAt == null && request.path("meta").path("query").has("_")) {
                sentAt = Instant.ofEpochMilli(request.get("meta").get("query").get("_").asLong()).toString();
            }
            long received = Instant.parse(sentAt).toEpochMilli() + 120;
            JsonNode list = body.isObject() && body.has("batch") ? body.get("batch") : body;
            for (JsonNode e : list.isArray() ? list : List.of(list)) {
                if (e.isObject() && e.get("properties") instanceof ObjectNode) {
                    out.add(new Template((ObjectNode) e, Instant.ofEpochMilli(received).toString(), received, sentAt));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no /e/ fixture events in " + Fixtures.posthogJsDir());
        }
        return out;
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
