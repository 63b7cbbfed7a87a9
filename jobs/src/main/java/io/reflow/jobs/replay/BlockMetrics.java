package io.reflow.jobs.replay;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a session summary row says about a block, accumulated message by message: time span, counts
 * of rrweb activity, console levels, visited URLs. Active time counts gaps of at most
 * {@value #INACTIVITY_THRESHOLD_MS} ms between user-activity events, including the gap between the last
 * activity of one message and the first of the next when messages arrive in time order (posthog-js
 * sends one every few seconds, so without it an active session lost up to that much per message).
 * {@code firstActiveTimestamp} is {@code Long.MIN_VALUE} without activity, 0 in state from before it existed.
 */
public record BlockMetrics(
        long firstTimestamp,
        long lastTimestamp,
        long eventCount,
        long messageCount,
        long size,
        long clickCount,
        long keypressCount,
        long mouseActivityCount,
        long activeMilliseconds,
        long firstActiveTimestamp,
        long lastActiveTimestamp,
        long consoleLogCount,
        long consoleWarnCount,
        long consoleErrorCount,
        String firstUrl,
        String[] urls) {

    static final long INACTIVITY_THRESHOLD_MS = 5_000;
    static final int MAX_URLS = 25;

    // rrweb event types and incremental-snapshot sources
    private static final int INCREMENTAL = 3;
    private static final int META = 4;
    private static final int PLUGIN = 6;
    private static final int SRC_MOUSE_MOVE = 1;
    private static final int SRC_MOUSE_INTERACTION = 2;
    private static final int SRC_INPUT = 5;
    private static final int SRC_TOUCH_MOVE = 6;
    private static final int MOUSE_CLICK = 2;
    private static final int MOUSE_DBL_CLICK = 4;

    public static BlockMetrics empty() {
        return new BlockMetrics(Long.MAX_VALUE, Long.MIN_VALUE, 0, 0, 0, 0, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE, 0, 0, 0, null,
                new String[0]);
    }

    /** This block with one more event (of {@code lineBytes} uncompressed bytes) added. */
    public BlockMetrics withEvent(JsonNode event, long timestamp, int lineBytes) {
        int type = event.path("type").asInt(-1);
        JsonNode data = event.path("data");
        if (type == META) {
            String href = data.path("href").asText(null);
            if (href == null || href.isEmpty()) {
                return withEvent(type, -1, -1, timestamp, lineBytes);
            }
            return new BlockMetrics(Math.min(firstTimestamp, timestamp), Math.max(lastTimestamp, timestamp),
                    eventCount + 1, messageCount, size + lineBytes, clickCount, keypressCount, mouseActivityCount,
                    activeMilliseconds, firstActiveTimestamp, lastActiveTimestamp, consoleLogCount, consoleWarnCount,
                    consoleErrorCount, firstUrl == null ? href : firstUrl, addUrl(urls, href));
        }
        if (type == PLUGIN && data.path("plugin").asText("").startsWith("rrweb/console")) {
            long log = consoleLogCount, warn = consoleWarnCount, error = consoleErrorCount;
            switch (data.path("payload").path("level").asText("log")) {
                case "warn" -> warn++;
                case "error", "assert" -> error++;
                default -> log++;
            }
            return new BlockMetrics(Math.min(firstTimestamp, timestamp), Math.max(lastTimestamp, timestamp),
                    eventCount + 1, messageCount, size + lineBytes, clickCount, keypressCount, mouseActivityCount,
                    activeMilliseconds, firstActiveTimestamp, lastActiveTimestamp, log, warn, error, firstUrl, urls);
        }
        return withEvent(type, type == INCREMENTAL ? data.path("source").asInt(-1) : -1,
                type == INCREMENTAL ? data.path("type").asInt(-1) : -1, timestamp, lineBytes);
    }

    /**
     * This block with one more event added that is not a meta or plugin event (those need the event itself): its
     * rrweb type, and for incremental snapshots {@code data.source} and {@code data.type} (-1 when absent).
     */
    public BlockMetrics withEvent(int type, int source, int dataType, long timestamp, int lineBytes) {
        long clicks = clickCount, keys = keypressCount, mouse = mouseActivityCount;
        long active = activeMilliseconds, firstActive = firstActiveTimestamp, lastActive = lastActiveTimestamp;
        if (type == INCREMENTAL) {
            if (source == SRC_MOUSE_INTERACTION && (dataType == MOUSE_CLICK || dataType == MOUSE_DBL_CLICK)) {
                clicks++;
            }
            if (source == SRC_INPUT) {
                keys++;
            }
            if (source == SRC_MOUSE_MOVE || source == SRC_MOUSE_INTERACTION || source == SRC_TOUCH_MOVE) {
                mouse++;
            }
            if (source >= SRC_MOUSE_MOVE && source <= 7 || source == 12) {
                if (lastActive != Long.MIN_VALUE && timestamp >= lastActive && timestamp - lastActive <= INACTIVITY_THRESHOLD_MS) {
                    active += timestamp - lastActive;
                }
                lastActive = Math.max(lastActive, timestamp);
                firstActive = firstActive == Long.MIN_VALUE ? timestamp : Math.min(firstActive, timestamp);
            }
        }
        return new BlockMetrics(Math.min(firstTimestamp, timestamp), Math.max(lastTimestamp, timestamp),
                eventCount + 1, messageCount, size + lineBytes, clicks, keys, mouse, active, firstActive, lastActive,
                consoleLogCount, consoleWarnCount, consoleErrorCount, firstUrl, urls);
    }

    /** This block with one more Kafka message counted. */
    public BlockMetrics withMessage() {
        return new BlockMetrics(firstTimestamp, lastTimestamp, eventCount, messageCount + 1, size, clickCount,
                keypressCount, mouseActivityCount, activeMilliseconds, firstActiveTimestamp, lastActiveTimestamp, consoleLogCount,
                consoleWarnCount, consoleErrorCount, firstUrl, urls);
    }

    /** Both blocks' metrics as one (this one came first). */
    public BlockMetrics plus(BlockMetrics later) {
        long active = activeMilliseconds + later.activeMilliseconds;
        if (hasActivity(lastActiveTimestamp) && hasActivity(later.firstActiveTimestamp)
                && later.firstActiveTimestamp >= lastActiveTimestamp
                && later.firstActiveTimestamp - lastActiveTimestamp <= INACTIVITY_THRESHOLD_MS) {
            active += later.firstActiveTimestamp - lastActiveTimestamp; // the gap between the two messages' activity
        }
        long firstActive = !hasActivity(firstActiveTimestamp) ? later.firstActiveTimestamp
                : !hasActivity(later.firstActiveTimestamp) ? firstActiveTimestamp
                : Math.min(firstActiveTimestamp, later.firstActiveTimestamp);
        String[] mergedUrls = urls;
        if (later.urls.length > 0) {
            Set<String> merged = new LinkedHashSet<>(Arrays.asList(urls));
            for (String u : later.urls) {
                if (merged.size() < MAX_URLS) {
                    merged.add(u);
                }
            }
            mergedUrls = merged.toArray(new String[0]);
        }
        return new BlockMetrics(Math.min(firstTimestamp, later.firstTimestamp), Math.max(lastTimestamp, later.lastTimestamp),
                eventCount + later.eventCount, messageCount + later.messageCount, size + later.size,
                clickCount + later.clickCount, keypressCount + later.keypressCount,
                mouseActivityCount + later.mouseActivityCount, active, firstActive,
                Math.max(lastActiveTimestamp, later.lastActiveTimestamp), consoleLogCount + later.consoleLogCount,
                consoleWarnCount + later.consoleWarnCount, consoleErrorCount + later.consoleErrorCount,
                firstUrl != null ? firstUrl : later.firstUrl, mergedUrls);
    }

    private static boolean hasActivity(long timestamp) {
        return timestamp != Long.MIN_VALUE && timestamp > 0;
    }

    private static String[] addUrl(String[] urls, String href) {
        if (urls.length >= MAX_URLS || Arrays.asList(urls).contains(href)) {
            return urls;
        }
        String[] more = Arrays.copyOf(urls, urls.length + 1);
        more[urls.length] = href;
        return more;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockMetrics m && m.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "BlockMetrics[" + firstTimestamp + ".." + lastTimestamp + ", events=" + eventCount + ", messages=" + messageCount
                + ", size=" + size + ", clicks=" + clickCount + ", keys=" + keypressCount + ", mouse=" + mouseActivityCount
                + ", activeMs=" + activeMilliseconds + "/" + firstActiveTimestamp + ".." + lastActiveTimestamp + ", console=" + consoleLogCount + "/" + consoleWarnCount + "/"
                + consoleErrorCount + ", firstUrl=" + firstUrl + ", urls=" + Arrays.toString(urls) + "]";
    }
}
