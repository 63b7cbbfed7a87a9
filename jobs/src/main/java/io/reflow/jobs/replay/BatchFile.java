package io.reflow.jobs.replay;

import io.reflow.contracts.BlockUrl;
import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;

/**
 * One batch file being written through a recoverable writer: blocks are appended back to back, and
 * nothing is visible until the file is committed.
 */
final class BatchFile {
    private final URI uri;
    private final RecoverableFsDataOutputStream out;
    private long position;

    private BatchFile(URI uri, RecoverableFsDataOutputStream out) {
        this.uri = uri;
        this.out = out;
    }

    static BatchFile open(RecoverableWriter writer, URI uri) throws IOException {
        return new BatchFile(uri, writer.open(new Path(uri)));
    }

    BlockUrl append(byte[] block) throws IOException {
        long start = position;
        out.write(block);
        position += block.length;
        String bucket = uri.getAuthority() == null ? "" : uri.getAuthority();
        return new BlockUrl(uri.getScheme(), bucket, uri.getPath().substring(1), start, position - 1);
    }

    RecoverableWriter.CommitRecoverable closeForCommit() throws IOException {
        return out.closeForCommit().getRecoverable();
    }

    void discard() {
        try {
            out.close();
        } catch (IOException ignored) {
            // best effort: an uncommitted file is never visible
        }
    }
}
