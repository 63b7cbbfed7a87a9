package io.reflow.jobs.replay;

/**
 * What is known about one session's buffered, not yet written, events. Both times are the block writer's
 * processing time: when the first buffered message arrived (flush age) and when the latest did (idle time).
 * {@code lastBufferedAtMs} is 0 in state written before it existed; the writer then falls back to the first.
 * {@code encrypt}: some buffered message asked for encryption, so the block is encrypted.
 */
public record SessionBuffer(
        long teamId,
        String sessionId,
        String distinctId,
        String snapshotSource,
        String snapshotLibrary,
        String retention,
        long firstBufferedAtMs,
        long lastBufferedAtMs,
        BlockMetrics metrics,
        boolean encrypt) {

    /** A session that is not encrypted. */
    public SessionBuffer(long teamId, String sessionId, String distinctId, String snapshotSource, String snapshotLibrary,
                         String retention, long firstBufferedAtMs, long lastBufferedAtMs, BlockMetrics metrics) {
        this(teamId, sessionId, distinctId, snapshotSource, snapshotLibrary, retention, firstBufferedAtMs, lastBufferedAtMs,
                metrics, false);
    }

    static SessionBuffer start(SessionChunk chunk, long now) {
        return new SessionBuffer(chunk.teamId(), chunk.sessionId(), chunk.distinctId(), chunk.snapshotSource(),
                chunk.snapshotLibrary(), chunk.retention(), now, now, chunk.metrics(), chunk.encrypt());
    }

    SessionBuffer plus(SessionChunk chunk, long now) {
        String distinct = distinctId != null ? distinctId : chunk.distinctId();
        return new SessionBuffer(teamId, sessionId, distinct, snapshotSource, snapshotLibrary, retention,
                firstBufferedAtMs, Math.max(now, lastBufferedAtMs), metrics.plus(chunk.metrics()), encrypt || chunk.encrypt());
    }

    /** When the session last received data (the first arrival for state from before idle tracking). */
    long lastActivityMs() {
        return Math.max(firstBufferedAtMs, lastBufferedAtMs);
    }

    /** Whether this session's block is written at a checkpoint taken at {@code now}. */
    boolean isDue(long now, BlockWriterSettings settings) {
        return now - firstBufferedAtMs >= settings.flushAge().toMillis()
                || now - lastActivityMs() >= settings.idleFlush().toMillis();
    }
}
