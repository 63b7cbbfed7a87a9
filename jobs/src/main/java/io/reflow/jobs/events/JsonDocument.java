package io.reflow.jobs.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A JSON document that a row holds as a string value (an event's properties), kept as that string value's JSON
 * literal: quotes, escapes and UTF-8, exactly the bytes {@link JsonRows} puts in the row. The normaliser writes it
 * straight from its tree ({@link #of(ObjectNode)}), the {@code keyBy} carries the bytes as they are, and the person
 * stage splices them into the event row: the document is never written as text, encoded, decoded and escaped again
 * on the way. Its text ({@link #text()}, what Jackson reads and writes, e.g. in person messages) is read back from
 * the literal when asked for. Equal when the bytes are.
 */
public final class JsonDocument {
    private final byte[] literal;

    private JsonDocument(byte[] literal) {
        this.literal = literal;
    }

    /** {@code tree} as Jackson writes it ({@code Json.mapper()}). */
    static JsonDocument of(ObjectNode tree) {
        return new JsonDocument(JsonRows.literal(tree));
    }

    @JsonCreator
    public static JsonDocument of(String text) {
        return text == null ? null : new JsonDocument(JsonRows.literal(text));
    }

    /** From {@link #literal()}'s bytes (not copied, not checked). */
    static JsonDocument ofLiteral(byte[] literal) {
        return new JsonDocument(literal);
    }

    /** The JSON string literal holding the document, UTF-8; not to be changed. */
    byte[] literal() {
        return literal;
    }

    @JsonValue
    public String text() {
        try {
            return Json.mapper().readValue(literal, String.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON string literal", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonDocument d && Arrays.equals(literal, d.literal);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(literal);
    }

    @Override
    public String toString() {
        return text();
    }
}
