package io.reflow.jobs.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * UTF-8 that refuses what it cannot hold, instead of writing '?' for it as {@link String#getBytes} does, and the
 * length-prefixed strings of the events job's binary formats.
 */
final class Utf8 {
    private static final int NULL = -1;
    /** A string with an unpaired surrogate (UTF-8 cannot hold it) follows in Flink's own string format. */
    private static final int UTF16 = -2;

    private Utf8() {}

    /** Writes {@code s} (may be null) as its length and UTF-8 bytes, for {@link #read}. */
    static void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeInt(NULL);
            return;
        }
        byte[] bytes = exact(s);
        if (bytes == null) {
            out.writeInt(UTF16);
            StringValue.writeString(s, out);
            return;
        }
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String read(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n == NULL) {
            return null;
        }
        if (n == UTF16) {
            return StringValue.readString(in);
        }
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The UTF-8 bytes of {@code s}, or null when it has an unpaired surrogate (which UTF-8 cannot hold). */
    static byte[] exact(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        // getBytes writes an unpaired surrogate as '?': the chars need a look only when one could be there
        if (bytes.length != s.length() || contains(bytes, (byte) '?')) {
            for (int i = 0, n = s.length(); i < n; i++) {
                char c = s.charAt(i);
                if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        i++;
                    } else {
                        return null;
                    }
                }
            }
        }
        return bytes;
    }

    private static boolean contains(byte[] bytes, byte b) {
        for (byte x : bytes) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }
}
