package io.reflow.contracts.reader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.Json;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.crypto.BlockEncryption;
import io.reflow.contracts.crypto.BlockKeys;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads one session's recording back: given its blocks (from its summary rows, or ClickHouse's
 * {@code block_urls} with the aligned block timestamps), returns its events in timestamp order as
 * {@code [window_id, event]} entries, streaming.
 *
 * <p>Each block is fetched with one ranged read ({@link BlockSource}) and decompressed and parsed while it is
 * consumed; nothing is buffered beyond a decompression window and one event per open block. Blocks are opened in
 * order of their first timestamp, and only when the events already open cannot come first, so a session whose
 * blocks do not overlap in time has one block open at a time. Blocks that do overlap (a message that arrived after
 * its session's previous block was written) are open together and merged event by event: each block is sorted, so
 * the merge is ordered. Events with equal timestamps keep block order, then line order.
 *
 * <p>A url listed twice is read once. Events still carrying posthog-js per-event compression (blocks written
 * before the replay job undid it) are decoded on the way out, unless turned off.
 *
 * <p>Encrypted blocks ({@link BlockEncryption}) are decrypted with the key {@link BlockKeys} finds for them; such a
 * block is read whole before it is decrypted (GCM authenticates the block as a whole). A block whose key is gone (the
 * session was deleted, or its retention expired) is skipped and listed in {@link SessionEvents#deletedBlocks()}: a
 * deleted recording reads as deleted, not as an error.
 */
public final class SessionRecordingReader {
    /** The replay job's per-event decompression limit, applied to old blocks still holding compressed events. */
    public static final long DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES = 64L * 1024 * 1024;

    private final BlockSource source;
    private final boolean undoPerEventCompression;
    private final BlockDictionaries dictionaries;
    private final BlockKeys keys;

    public SessionRecordingReader(BlockSource source) {
        this(source, true);
    }

    public SessionRecordingReader(BlockSource source, boolean undoPerEventCompression) {
        this(source, undoPerEventCompression, BlockDictionaries.standard());
    }

    /** {@code dictionaries}: where the zstd dictionaries that blocks name are found. */
    public SessionRecordingReader(BlockSource source, boolean undoPerEventCompression, BlockDictionaries dictionaries) {
        this(source, undoPerEventCompression, dictionaries, BlockKeys.none());
    }

    /** {@code keys}: the data keys of encrypted blocks (without one, an encrypted block reads as deleted). */
    public SessionRecordingReader(BlockSource source, BlockKeys keys) {
        this(source, true, BlockDictionaries.standard(), keys);
    }

    public SessionRecordingReader(BlockSource source, boolean undoPerEventCompression, BlockDictionaries dictionaries,
                                  BlockKeys keys) {
        this.source = source;
        this.undoPerEventCompression = undoPerEventCompression;
        this.dictionaries = dictionaries;
        this.keys = keys;
    }

    /** The session's events in timestamp order; close the result (or exhaust it) to release open blocks. */
    public SessionEvents read(List<BlockRef> blocks) {
        List<BlockRef> unique = new ArrayList<>(blocks.size());
        Set<String> seen = new HashSet<>();
        for (BlockRef b : blocks) {
            if (seen.add(b.url().toString())) {
                unique.add(b);
            }
        }
        // stable: blocks with the same first timestamp (or none known) keep the given order
        unique.sort(Comparator.comparingLong(BlockRef::firstTimestamp));
        return new SessionEvents(unique);
    }

    /** Every event of the session, in order, read to the end. */
    public List<RecordingBlock.Entry> readAll(List<BlockRef> blocks) {
        List<RecordingBlock.Entry> all = new ArrayList<>();
        try (SessionEvents events = read(blocks)) {
            events.forEachRemaining(all::add);
        }
        return all;
    }

    /** An ordered, streaming iterator over one session's events. Not thread safe. */
    public final class SessionEvents implements Iterator<RecordingBlock.Entry>, AutoCloseable {
        private final List<BlockRef> blocks;
        private final List<BlockRef> deleted = new ArrayList<>();
        private final PriorityQueue<Cursor> open = new PriorityQueue<>(
                Comparator.comparingLong((Cursor c) -> c.timestamp).thenComparingInt(c -> c.order).thenComparingLong(c -> c.line));
        private int nextBlock;
        private int maxOpen;
        private boolean closed;

        private SessionEvents(List<BlockRef> blocks) {
            this.blocks = blocks;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            openDueBlocks();
            return !open.isEmpty();
        }

        @Override
        public RecordingBlock.Entry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Cursor c = open.poll();
            RecordingBlock.Entry entry = c.current;
            if (c.advance()) {
                open.add(c);
            }
            return entry;
        }

        /** The events as a sequential stream that closes this iterator when it is closed. */
        public Stream<RecordingBlock.Entry> stream() {
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(this::close);
        }

        /** How many blocks were open at once at most so far (1 for a session whose blocks do not overlap). */
        public int maxOpenBlocks() {
            return maxOpen;
        }

        /** The blocks opened so far whose key is gone (deleted or expired): skipped, not failed. */
        public List<BlockRef> deletedBlocks() {
            return List.copyOf(deleted);
        }

        /**
         * Whether the whole recording is deleted: every block has been opened (read to the end first) and every one was
         * deleted. A session with no blocks is not deleted, just empty.
         */
        public boolean allDeleted() {
            return !blocks.isEmpty() && nextBlock == blocks.size() && deleted.size() == blocks.size();
        }

        /** How many blocks have been opened so far. */
        public int blocksOpened() {
            return nextBlock;
        }

        @Override
        public void close() {
            closed = true;
            IOException failure = null;
            for (Cursor c : open) {
                try {
                    c.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            open.clear();
            if (failure != null) {
                throw new UncheckedIOException(failure);
            }
        }

        /** Opens every block that may hold the next event: none is open, or its first event is not later than theirs. */
        private void openDueBlocks() {
            while (nextBlock < blocks.size()) {
                BlockRef block = blocks.get(nextBlock);
                if (!open.isEmpty() && block.timestampsKnown() && block.firstTimestamp() > open.peek().timestamp) {
                    return;
                }
                nextBlock++;
                Cursor c = new Cursor(block, nextBlock);
                if (c.advance()) {
                    open.add(c);
                    maxOpen = Math.max(maxOpen, open.size());
                } else if (c.deleted) {
                    deleted.add(block);
                }
            }
        }
    }

    /** One open block: its stream, parser and the event it is at. */
    private final class Cursor {
        private final BlockRef block;
        private final int order;
        private InputStream in;
        private JsonParser lines;
        private RecordingBlock.Entry current;
        private long timestamp;
        private long line;
        private boolean deleted;

        Cursor(BlockRef block, int order) {
            this.block = block;
            this.order = order;
        }

        /** Moves to the block's next event; false (and closed) at its end. */
        boolean advance() {
            try {
                if (lines == null) {
                    in = source.open(block.url());
                    // the parser closes what it reads at its end; `in` stays open to drain the range
                    InputStream frame = new BufferedInputStream(in, 64 * 1024);
                    frame.mark(4);
                    byte[] start = frame.readNBytes(4);
                    frame.reset();
                    if (BlockEncryption.isEncrypted(start)) {
                        Optional<byte[]> plain = BlockEncryption.decrypt(frame.readAllBytes(), keys);
                        if (plain.isEmpty()) {
                            deleted = true;
                            close();
                            return false;
                        }
                        frame = new ByteArrayInputStream(plain.get());
                    }
                    lines = Json.mapper().getFactory().createParser(RecordingBlock.decompressing(frame, dictionaries));
                }
                JsonToken token = lines.nextToken();
                if (token == null) {
                    // read what is left of the range (normally nothing) so an HTTP connection can be reused
                    in.transferTo(OutputStream.nullOutputStream());
                    close();
                    return false;
                }
                line++;
                if (token != JsonToken.START_ARRAY) {
                    throw new IOException("line " + line + " is not [window_id, event]");
                }
                JsonNode pair = Json.mapper().readTree(lines);
                if (pair.size() != 2) {
                    throw new IOException("line " + line + " is not [window_id, event]");
                }
                JsonNode event = pair.get(1);
                if (undoPerEventCompression && PerEventCompression.isCompressed(event)) {
                    try {
                        event = PerEventCompression.decode(event, DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES);
                    } catch (PerEventCompression.UndecodableEvent e) {
                        // kept as stored: the player skips what it cannot apply, the rest of the session still plays
                    }
                }
                current = new RecordingBlock.Entry(pair.get(0).asText(), event);
                timestamp = event.path("timestamp").asLong();
                return true;
            } catch (IOException | RuntimeException e) {
                try {
                    close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new UncheckedIOException("cannot read block " + block.url() + ": " + e.getMessage(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }

        void close() throws IOException {
            JsonParser l = lines;
            InputStream i = in;
            lines = null;
            in = null;
            if (l != null) {
                l.close();
            }
            if (i != null) {
                i.close();
            }
        }
    }
}
