package io.reflow.jobs.replay;

/**
 * One decoded recording message on its way to its session's buffer: who it belongs to, its metrics,
 * and its block lines packed by {@link TimedLines}.
 */
public record SessionChunk(
        long teamId,
        String sessionId,
        String distinctId,
        String snapshotSource,
        String snapshotLibrary,
        String retention,
        long receivedAtMs,
        BlockMetrics metrics,
        byte[] lines) {

    public String sessionKey() {
        return teamId + "/" + sessionId;
    }
}
