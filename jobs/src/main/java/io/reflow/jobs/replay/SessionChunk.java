package io.reflow.jobs.replay;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decoded recording message on its way to its session's buffer: who it belongs to, its metrics,
 * its block lines packed by {@link TimedLines}, and its console lines packed by {@link ConsoleLogs}
 * (empty when the message has none). A message holding one part of an event too large for Kafka is a chunk
 * with {@code eventPart} set and no lines, until {@link JoinEventParts} has all parts. {@code encrypt}: the team wants
 * the session's blocks encrypted (stamped by capture).
 */
@TypeInfo(SessionChunkSerializer.Factory.class)
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
        byte[] consoleLogs,
        EventPart eventPart,
        boolean encrypt) {

    public SessionChunk {
        consoleLogs = consoleLogs == null ? new byte[0] : consoleLogs;
        lines = lines == null ? new byte[0] : lines;
    }

    /**
     * One part of a cut rrweb event, with where its message was read so a dead letter for an incomplete event
     * can point at it.
     */
    public record EventPart(String id, int index, int count, byte[] bytes, String windowId,
                            String sourceTopic, int sourcePartition, long sourceOffset) {}

    static SessionChunk part(RecordingDecoder.Origin origin, EventPart part) {
        return new SessionChunk(origin.teamId(), origin.sessionId(), origin.distinctId(),
                RecordingDecoder.orDefault(origin.snapshotSource(), "web"), RecordingDecoder.orDefault(origin.snapshotLibrary(), "web"),
                origin.retention().pathSegment(), origin.receivedAtMs(), BlockMetrics.empty(), null, null, part, origin.encrypt());
    }

    public String sessionKey() {
        return teamId + "/" + sessionId;
    }
}
