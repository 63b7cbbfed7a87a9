package io.reflow.contracts.reader;

import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.SessionBlockSummary;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One block of a session to read: where it is and the timestamps of its first and last event (a summary row's
 * {@code first_timestamp}/{@code last_timestamp}; ClickHouse's {@code block_first_timestamps}/
 * {@code block_last_timestamps}, index-aligned with {@code block_urls}). {@link #UNKNOWN} timestamps are allowed
 * but cost the reader: it must open such a block before it can emit anything.
 */
public record BlockRef(BlockUrl url, long firstTimestamp, long lastTimestamp) {
    public static final long UNKNOWN = Long.MIN_VALUE;

    public BlockRef {
        if (url == null) {
            throw new IllegalArgumentException("block url is required");
        }
    }

    public static BlockRef of(String blockUrl, long firstTimestamp, long lastTimestamp) {
        return new BlockRef(BlockUrl.parse(blockUrl), firstTimestamp, lastTimestamp);
    }

    /** A block known only by its url. */
    public static BlockRef of(String blockUrl) {
        return of(blockUrl, UNKNOWN, UNKNOWN);
    }

    public boolean timestampsKnown() {
        return firstTimestamp != UNKNOWN;
    }

    /** The blocks of a session's summary rows (one row per block). */
    public static List<BlockRef> fromSummaries(Collection<SessionBlockSummary> rows) {
        List<BlockRef> blocks = new ArrayList<>(rows.size());
        for (SessionBlockSummary row : rows) {
            blocks.add(of(row.blockUrl(), row.firstTimestamp(), row.lastTimestamp()));
        }
        return blocks;
    }

    /** The blocks of a session as ClickHouse's session_replay_events lists them (index-aligned arrays, epoch ms). */
    public static List<BlockRef> fromArrays(List<String> blockUrls, List<Long> firstTimestamps, List<Long> lastTimestamps) {
        if (blockUrls.size() != firstTimestamps.size() || blockUrls.size() != lastTimestamps.size()) {
            throw new IllegalArgumentException("block_urls, block_first_timestamps and block_last_timestamps differ in length");
        }
        List<BlockRef> blocks = new ArrayList<>(blockUrls.size());
        for (int i = 0; i < blockUrls.size(); i++) {
            blocks.add(of(blockUrls.get(i), firstTimestamps.get(i), lastTimestamps.get(i)));
        }
        return blocks;
    }

    /** Blocks known only by their urls (see the class comment for the cost). */
    public static List<BlockRef> fromUrls(Collection<String> blockUrls) {
        return blockUrls.stream().map(BlockRef::of).toList();
    }
}
