package io.reflow.capture;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a gzip body (RFC 1952: header, deflate data, CRC-32 and size trailer; concatenated members too)
 * held in memory. Output beyond {@code limit} is refused as it is produced, so a bomb costs at most
 * {@code limit} bytes; input is fed in slices, so inflating stops long before the end of a large bomb.
 *
 * <p>Unlike {@link java.util.zip.GZIPInputStream} this allocates no 64 KB stream buffers per body and sizes
 * the output from the size the trailer announces (when plausible), which matters for the many small bodies
 * posthog-js sends.
 */
final class Gunzip {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int HEADER_BYTES = 10;
    private static final int TRAILER_BYTES = 8;
    private static final int SLICE = 64 * 1024;
    /** JSON rarely inflates more than this; a larger announced size is believed only as the output grows. */
    private static final int PLAUSIBLE_RATIO = 32;
    // An Inflater holds tens of KB of native zlib state: one per thread, reset per body, instead of one per body.
    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));

    private Gunzip() {}

    static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    static byte[] inflate(byte[] in, int limit) {
        Output out = new Output(initialCapacity(in, limit), limit);
        Inflater inflater = INFLATERS.get();
        int pos = 0;
        do {
            pos = skipHeader(in, pos);
            int memberStart = out.length;
            inflater.reset();
            int fed = pos;
            try {
                while (!inflater.finished()) {
                    if (inflater.needsInput()) {
                        if (fed >= in.length) {
                            throw invalid("the gzip data is truncated");
                        }
                        int n = Math.min(SLICE, in.length - fed);
                        inflater.setInput(in, fed, n);
                        fed += n;
                    }
                    if (inflater.needsDictionary()) {
                        throw invalid("the deflate data asks for a preset dictionary");
                    }
                    out.inflateFrom(inflater);
                }
            } catch (DataFormatException e) {
                throw invalid("the deflate data is corrupt: " + e.getMessage());
            }
            int trailer = fed - inflater.getRemaining();
            if (trailer + TRAILER_BYTES > in.length) {
                throw invalid("the gzip trailer is missing");
            }
            CRC32 crc = new CRC32();
            crc.update(out.bytes, memberStart, out.length - memberStart);
            if ((int) crc.getValue() != int32(in, trailer) || out.length - memberStart != int32(in, trailer + 4)) {
                throw invalid("the gzip checksum or size does not match the data");
            }
            pos = trailer + TRAILER_BYTES;
            // like GZIPInputStream: another member may follow; anything else after the trailer is ignored
        } while (pos + 1 < in.length && (in[pos] & 0xff) == 0x1f && (in[pos + 1] & 0xff) == 0x8b);
        return out.toArray();
    }

    private static int initialCapacity(byte[] in, int limit) {
        long plausible = Math.max(1024L, (long) in.length * PLAUSIBLE_RATIO);
        long announced = in.length >= HEADER_BYTES + TRAILER_BYTES ? int32(in, in.length - 4) & 0xffffffffL : 0;
        long capacity = announced > 0 && announced <= plausible ? announced : Math.min(plausible, 4L * in.length + 1024);
        return (int) Math.min(capacity, limit);
    }

    /** The position of the deflate data after the member header at {@code start}. */
    private static int skipHeader(byte[] in, int start) {
        if (start + HEADER_BYTES > in.length || (in[start] & 0xff) != 0x1f || (in[start + 1] & 0xff) != 0x8b) {
            throw invalid("not gzip data");
        }
        if (in[start + 2] != 8) {
            throw invalid("unsupported gzip compression method " + in[start + 2]);
        }
        int flags = in[start + 3];
        int pos = start + HEADER_BYTES;
        if ((flags & FEXTRA) != 0) {
            require(in, pos + 2);
            pos += 2 + ((in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            pos = afterZero(in, pos);
        }
        if ((flags & FCOMMENT) != 0) {
            pos = afterZero(in, pos);
        }
        if ((flags & FHCRC) != 0) {
            require(in, pos + 2);
            CRC32 crc = new CRC32();
            crc.update(in, start, pos - start);
            if (((in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8) != (int) (crc.getValue() & 0xffff)) {
                throw invalid("the gzip header checksum does not match");
            }
            pos += 2;
        }
        require(in, pos);
        return pos;
    }

    private static int afterZero(byte[] in, int pos) {
        while (pos < in.length && in[pos] != 0) {
            pos++;
        }
        require(in, pos + 1);
        return pos + 1;
    }

    private static void require(byte[] in, int end) {
        if (end > in.length) {
            throw invalid("the gzip header is truncated");
        }
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static CaptureException invalid(String detail) {
        return CaptureException.badRequest("invalid_gzip", "the body is not valid gzip: " + detail);
    }

    /** The inflated bytes so far; grows on demand, never beyond the limit. */
    private static final class Output {
        private final int limit;
        private final byte[] probe = new byte[1];
        byte[] bytes;
        int length;

        Output(int capacity, int limit) {
            this.bytes = new byte[capacity];
            this.limit = limit;
        }

        void inflateFrom(Inflater inflater) throws DataFormatException {
            if (length == bytes.length) {
                // full: one byte more tells whether the data really goes on, so an exact-size buffer is never grown in vain
                if (inflater.inflate(probe) == 0) {
                    return;
                }
                if (length >= limit) {
                    throw CaptureException.tooLarge("the decoded body is larger than this endpoint's limit of " + limit + " bytes");
                }
                grow();
                bytes[length++] = probe[0];
                return;
            }
            length += inflater.inflate(bytes, length, bytes.length - length);
        }

        byte[] toArray() {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }

        private void grow() {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(2L * bytes.length, (long) bytes.length + SLICE)));
        }
    }
}
