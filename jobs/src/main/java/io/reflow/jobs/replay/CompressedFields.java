package io.reflow.jobs.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Gunzips the fields of posthog-js per-event compression ({@code "cv": "2024-10"}: a gzip member as a string of
 * ISO-8859-1 chars) straight into a block line, and checks that what comes out is one JSON value. One reusable
 * {@link Inflater} and the gzip header parsed by hand: most of these fields are tiny (the gzip of {@code []}), where
 * setting up a {@code GZIPInputStream} cost more than the inflating. The decompressed bytes of one event are counted
 * against a budget while inflating, so a small gzip bomb stops at the limit. Not thread-safe.
 */
final class CompressedFields implements AutoCloseable {
    private static final int FTEXT_FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int STEP = 64 * 1024;

    /** Fields whose gzip is at most this long are remembered with what they hold (see {@link #recent}). */
    static final int SMALL_FIELD_BYTES = 64;
    private static final int RECENT_FIELDS = 8;

    private final Inflater inflater = new Inflater(true);
    /**
     * The last few small fields inflated, with their checked JSON: posthog-js gzips every compressible field of a
     * mutation, and most are the same few bytes (the gzip of {@code []}), which then cost a lookup instead of a trip
     * through the inflater. Same bytes in, same bytes out: nothing a dead letter says depends on it.
     */
    private final byte[][] recentGz = new byte[RECENT_FIELDS][];
    private final byte[][] recentJson = new byte[RECENT_FIELDS][];
    private int nextRecent;
    private final CRC32 crc = new CRC32();
    private final JsonFactory json;

    CompressedFields(JsonFactory json) {
        this.json = json;
    }

    /** Why an event was refused: a short machine reason for the dead letter and a detail. */
    static final class Rejected extends Exception {
        final String reason;

        Rejected(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** What is left of one event's decompression budget. */
    static final class Budget {
        final long limit;
        long used;

        Budget(long limit) {
            this.limit = limit;
        }
    }

    /**
     * Appends the JSON held by the gzip member {@code gz} to {@code out}; on failure {@code out} may hold a partial
     * write (the caller cuts it back).
     */
    void inflateInto(byte[] gz, String path, Budget budget, GrowableBytes out) throws Rejected {
        if (gz.length < 2 || (gz[0] & 0xFF) != 0x1F || (gz[1] & 0xFF) != 0x8B) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip (no 1f 8b magic)");
        }
        if (gz.length <= SMALL_FIELD_BYTES && writeRecent(gz, budget, out, path)) {
            return;
        }
        int start = out.size();
        int pos = 0;
        do {
            pos = inflateMember(gz, pos, path, budget, out);
        } while (pos + 1 < gz.length && (gz[pos] & 0xFF) == 0x1F && (gz[pos + 1] & 0xFF) == 0x8B);
        checkOneJsonValue(out.array(), start, out.size() - start, path);
        if (gz.length <= SMALL_FIELD_BYTES) {
            recentGz[nextRecent] = gz;
            recentJson[nextRecent] = java.util.Arrays.copyOfRange(out.array(), start, out.size());
            nextRecent = (nextRecent + 1) % RECENT_FIELDS;
        }
    }

    /** Writes what a recently inflated field identical to {@code gz} held; false when there is none. */
    private boolean writeRecent(byte[] gz, Budget budget, GrowableBytes out, String path) throws Rejected {
        for (int k = 0; k < RECENT_FIELDS; k++) {
            if (java.util.Arrays.equals(recentGz[k], gz)) {
                byte[] json = recentJson[k];
                budget.used += json.length;
                if (budget.used > budget.limit) {
                    throw new Rejected("compressed_event_too_large",
                            path + ": decompresses to more than the limit of " + budget.limit + " bytes per event");
                }
                out.write(json);
                return true;
            }
        }
        return false;
    }

    /** Inflates the member starting at {@code pos}; returns where the bytes after its trailer start. */
    private int inflateMember(byte[] gz, int pos, String path, Budget budget, GrowableBytes out) throws Rejected {
        int body = skipHeader(gz, pos, path);
        inflater.reset();
        inflater.setInput(gz, body, gz.length - body);
        crc.reset();
        long produced = 0;
        int stalls = 0;
        try {
            while (!inflater.finished()) {
                long allowed = budget.limit - budget.used + 1;
                int step = (int) Math.min(STEP, allowed);
                out.ensureSpace(step);
                int n = inflater.inflate(out.array(), out.size(), step);
                if (n > 0) {
                    crc.update(out.array(), out.size(), n);
                    out.advance(n);
                    produced += n;
                    budget.used += n;
                    if (budget.used > budget.limit) {
                        throw new Rejected("compressed_event_too_large",
                                path + ": decompresses to more than the limit of " + budget.limit + " bytes per event");
                    }
                } else if (inflater.needsInput()) {
                    throw new Rejected("compressed_field_undecodable", path + ": not gzip: Unexpected end of ZLIB input stream");
                } else if (inflater.needsDictionary()) {
                    throw new Rejected("compressed_field_undecodable", path + ": not gzip: needs a preset dictionary");
                } else if (++stalls > 3) {
                    throw new Rejected("compressed_field_undecodable", path + ": not gzip: the inflater makes no progress");
                }
            }
        } catch (DataFormatException e) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: " + e.getMessage());
        }
        int trailer = gz.length - inflater.getRemaining();
        if (trailer + 8 > gz.length) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: Unexpected end of ZLIB input stream");
        }
        if (readIntLe(gz, trailer) != (int) crc.getValue()) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: Corrupt GZIP trailer");
        }
        if (readIntLe(gz, trailer + 4) != (int) produced) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: Corrupt GZIP trailer");
        }
        return trailer + 8;
    }

    private static int skipHeader(byte[] gz, int pos, String path) throws Rejected {
        if (gz.length - pos < 10) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: truncated header");
        }
        if (gz[pos + 2] != 8) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: Unsupported compression method");
        }
        int flags = gz[pos + 3] & 0xFF;
        int p = pos + 10;
        if ((flags & FEXTRA) != 0) {
            if (p + 2 > gz.length) {
                throw new Rejected("compressed_field_undecodable", path + ": not gzip: truncated header");
            }
            p += 2 + ((gz[p] & 0xFF) | (gz[p + 1] & 0xFF) << 8);
        }
        if ((flags & FNAME) != 0) {
            p = afterZero(gz, p, path);
        }
        if ((flags & FCOMMENT) != 0) {
            p = afterZero(gz, p, path);
        }
        if ((flags & FTEXT_FHCRC) != 0) {
            p += 2;
        }
        if (p > gz.length) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: truncated header");
        }
        return p;
    }

    private static int afterZero(byte[] gz, int p, String path) throws Rejected {
        while (p < gz.length && gz[p] != 0) {
            p++;
        }
        if (p >= gz.length) {
            throw new Rejected("compressed_field_undecodable", path + ": not gzip: truncated header");
        }
        return p + 1;
    }

    private static int readIntLe(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private void checkOneJsonValue(byte[] bytes, int offset, int length, String path) throws Rejected {
        int end = offset + length;
        int value = JsonBytes.skipWhitespace(bytes, offset, end);
        if (value < end) {
            int after = JsonBytes.skipValue(bytes, value, end);
            if (after != JsonBytes.FAIL && JsonBytes.skipWhitespace(bytes, after, end) == end) {
                return; // JsonBytes accepts nothing Jackson refuses; what it does not accept, Jackson judges and explains
            }
        }
        try (JsonParser p = json.createParser(bytes, offset, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new Rejected("compressed_field_undecodable", path + ": gzip holds no JSON value");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new Rejected("compressed_field_undecodable", path + ": not JSON: more than one JSON value");
            }
        } catch (JsonProcessingException e) {
            throw new Rejected("compressed_field_undecodable", path + ": not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Rejected("compressed_field_undecodable", path + ": not JSON: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        inflater.end();
    }
}
