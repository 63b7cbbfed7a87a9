package io.reflow.jobs.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Console log lines of rrweb's console plugin ({@code type 6, data.plugin "rrweb/console@1"}) on their way to the
 * log_entries topic: extracted in the decode stage, packed into one byte array per recording message (so a message
 * costs at most one state entry, and none without console output), and deduplicated per block when the block is
 * written: the same level and message twice in one block is one row, at its first timestamp (as PostHog does).
 *
 * <p>Level: {@code warn}; {@code error} for error and assert; {@code info} for everything else (log, info, debug,
 * trace, ...), the same classes as the summary row's console counts. Message: the payload's arguments joined with
 * a space, each shown as the console shows it (the plugin sends every argument stringified; a string argument
 * arrives JSON-quoted and is unquoted), cut to {@value LogEntry#MAX_MESSAGE_CHARS} characters. A call without
 * arguments gives no row.
 */
final class ConsoleLogs {
    static final int PLUGIN = 6;
    static final String PLUGIN_PREFIX = "rrweb/console";

    private ConsoleLogs() {}

    /** One console line of a session, before it becomes a {@link LogEntry}. */
    record Line(long timestamp, String windowId, String level, String message) {}

    /** The console line an rrweb event carries, or null when it is no console plugin event or says nothing. */
    static Line of(JsonNode event, long timestamp, String windowId) {
        if (event.path("type").asInt(-1) != PLUGIN) {
            return null;
        }
        JsonNode data = event.path("data");
        if (!data.path("plugin").asText("").startsWith(PLUGIN_PREFIX)) {
            return null;
        }
        JsonNode payload = data.path("payload");
        String message = message(payload.path("payload"));
        if (message.isEmpty()) {
            return null;
        }
        return new Line(timestamp, windowId, level(payload.path("level").asText("log")), message);
    }

    static String level(String consoleMethod) {
        return switch (consoleMethod) {
            case "warn" -> "warn";
            case "error", "assert" -> "error";
            default -> "info";
        };
    }

    static String message(JsonNode args) {
        StringBuilder out = new StringBuilder();
        if (args.isArray()) {
            for (JsonNode arg : args) {
                if (out.length() > LogEntry.MAX_MESSAGE_CHARS) {
                    break;
                }
                String shown = shown(arg);
                if (shown.isEmpty()) {
                    continue;
                }
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(shown);
            }
        } else if (!args.isMissingNode() && !args.isNull()) {
            out.append(shown(args));
        }
        return truncate(out.toString());
    }

    private static String shown(JsonNode arg) {
        if (arg.isNull() || arg.isMissingNode()) {
            return "";
        }
        if (!arg.isTextual()) {
            return arg.toString();
        }
        String text = arg.asText();
        if (text.length() >= 2 && text.charAt(0) == '"' && text.charAt(text.length() - 1) == '"') {
            try {
                JsonNode unquoted = Json.mapper().readTree(text);
                if (unquoted != null && unquoted.isTextual()) {
                    return unquoted.asText();
                }
            } catch (JsonProcessingException e) {
                // not a JSON string literal: shown as it came
            }
        }
        return text;
    }

    static String truncate(String message) {
        if (message.length() <= LogEntry.MAX_MESSAGE_CHARS) {
            return message;
        }
        int end = LogEntry.MAX_MESSAGE_CHARS;
        if (Character.isHighSurrogate(message.charAt(end - 1))) {
            end--; // do not cut a character in half
        }
        return message.substring(0, end);
    }

    /**
     * Packs lines as {@code [long ts][window][level][message]...} (strings as length + UTF-8), each level+message
     * once, at its earliest timestamp.
     */
    static final class Builder {
        private final Map<String, Line> lines = new LinkedHashMap<>();

        Builder add(Line line) {
            lines.merge(line.level() + '\n' + line.message(), line, (a, b) -> b.timestamp() < a.timestamp() ? b : a);
            return this;
        }

        boolean isEmpty() {
            return lines.isEmpty();
        }

        byte[] build() {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(buffer)) {
                for (Line line : lines.values()) {
                    out.writeLong(line.timestamp());
                    writeString(out, line.windowId());
                    writeString(out, line.level());
                    writeString(out, line.message());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return buffer.toByteArray();
        }
    }

    static List<Line> decode(byte[] packed, List<Line> into) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(packed))) {
            while (in.available() > 0) {
                into.add(new Line(in.readLong(), readString(in), readString(in), readString(in)));
            }
            return into;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt buffered console logs", e);
        }
    }

    /** The block's console lines in timestamp order, each level+message once (its first occurrence). */
    static List<Line> deduplicated(Iterable<byte[]> packedChunks) {
        List<Line> all = new ArrayList<>();
        if (packedChunks == null) {
            return all;
        }
        for (byte[] chunk : packedChunks) {
            decode(chunk, all);
        }
        all.sort(Comparator.comparingLong(Line::timestamp));
        Set<String> seen = new HashSet<>();
        List<Line> unique = new ArrayList<>();
        for (Line l : all) {
            if (seen.add(l.level() + '\n' + l.message())) {
                unique.add(l);
            }
        }
        return unique;
    }

    static LogEntry entry(long teamId, String sessionId, int retentionDays, Line line) {
        String instance = line.windowId() == null || line.windowId().isEmpty() ? null : line.windowId();
        return new LogEntry(teamId, sessionId, LogEntry.SESSION_REPLAY, sessionId, instance, line.timestamp(), line.level(),
                line.message(), retentionDays);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
