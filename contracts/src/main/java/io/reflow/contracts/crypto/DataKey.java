package io.reflow.contracts.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One session's AES-256 data key and its id (what an encrypted block names in its header). {@link #toString} never
 * shows the key: a data key must not reach a log line.
 */
public final class DataKey {
    public static final int BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UUID id;
    private final byte[] key;

    public DataKey(UUID id, byte[] key) {
        if (id == null) {
            throw new IllegalArgumentException("a data key needs an id");
        }
        if (key == null || key.length != BYTES) {
            throw new IllegalArgumentException("a data key is " + BYTES + " bytes");
        }
        this.id = id;
        this.key = key.clone();
    }

    /** A fresh random key with a fresh random id. */
    public static DataKey generate() {
        byte[] key = new byte[BYTES];
        RANDOM.nextBytes(key);
        return new DataKey(UUID.randomUUID(), key);
    }

    public UUID id() {
        return id;
    }

    /** A copy of the key bytes. */
    public byte[] bytes() {
        return key.clone();
    }

    SecretKey secretKey() {
        return new SecretKeySpec(key, "AES");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataKey other && id.equals(other.id) && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "DataKey[" + id + ", key hidden]";
    }
}
