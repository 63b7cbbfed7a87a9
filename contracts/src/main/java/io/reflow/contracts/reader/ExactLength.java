package io.reflow.contracts.reader;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream of exactly {@code length} bytes of the one it wraps: it ends after them, and fails if the wrapped
 * stream ends before them (a truncated block must not pass for a whole one).
 */
public final class ExactLength extends FilterInputStream {
    private final String what;
    private long remaining;

    public ExactLength(InputStream in, long length, String what) {
        super(in);
        this.remaining = length;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = super.read();
        if (b < 0) {
            throw truncated();
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (remaining <= 0) {
            return -1;
        }
        int n = super.read(buffer, offset, (int) Math.min(length, remaining));
        if (n < 0) {
            throw truncated();
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(Math.min(n, remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private EOFException truncated() {
        return new EOFException(what + ": stream ended " + remaining + " bytes early");
    }
}
