package io.reflow.jobs.replay;

/**
 * One decoded recording message on its way to its session's buffer: who it belongs to, its metrics,
 * its block lines packed by {@link TimedLines}, and its console lines packed by {@link ConsoleLogs}
 * (empty when the message has none).
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
        byte[] lines,
        byte[] consoleLogs) {

    public SessionChunk {
        consoleLogs = consoleLogs == null ? new byte[0] : consoleLogs;
    }

    public String sessionKey() {
        return teamId + "/" + sessionId;
    }
}
