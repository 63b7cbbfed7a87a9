package io.reflow.jobs.events;

import java.nio.charset.StandardCharsets;

/** UTF-8 that refuses what it cannot hold, instead of writing '?' for it as {@link String#getBytes} does. */
final class Utf8 {
    private Utf8() {}

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
