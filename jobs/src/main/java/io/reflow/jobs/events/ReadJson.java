package io.reflow.jobs.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How the events job reads JSON whose field names are unbounded (person properties, the distinct ids of a person
 * in its state, event properties): {@link Json}'s configuration, but field names are not canonicalised. Jackson's
 * shared symbol table would otherwise take every distinct id and property name ever seen, copying itself as it
 * grows (it was the largest single cost of the person stage at a million distinct ids). Writes with
 * {@link Json#mapper()}, so what the job publishes is unchanged.
 */
final class ReadJson {
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ReadJson() {}

    /**
     * Without canonical field names Jackson reads bytes through the JDK's InputStreamReader (malformed UTF-8 becomes
     * U+FFFD); decoding them to a String first is the same decoding, done much faster, and Jackson then parses the String.
     */
    static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(new String(bytes, StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** {@code json}'s tree: from {@link JsonTreeReader} when it takes it (the same tree, built faster), else Jackson's. */
    static JsonNode tree(String json) {
        byte[] utf8 = Utf8.exact(json);
        JsonNode quick = utf8 == null ? null : JsonTreeReader.tree(utf8);
        if (quick != null) {
            return quick;
        }
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} as a JSON string, written as {@link Json#encode} writes it. */
    static String string(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }
}
