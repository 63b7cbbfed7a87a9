package io.reflow.jobs.replay;

/** What is known about one session's buffered, not yet written, events. */
public record SessionBuffer(
        long teamId,
        String sessionId,
        String distinctId,
        String snapshotSource,
        String snapshotLibrary,
        String retention,
        long firstBufferedAtMs,
        BlockMetrics metrics) {

    static SessionBuffer start(SessionChunk chunk, long now) {
        return new SessionBuffer(chunk.teamId(), chunk.sessionId(), chunk.distinctId(), chunk.snapshotSource(),
                chunk.snapshotLibrary(), chunk.retention(), now, chunk.metrics());
    }

    SessionBuffer plus(SessionChunk chunk) {
        String distinct = distinctId != null ? distinctId : chunk.distinctId();
        return new SessionBuffer(teamId, sessionId, distinct, snapshotSource, snapshotLibrary, retention,
                firstBufferedAtMs, metrics.plus(chunk.metrics()));
    }
}
