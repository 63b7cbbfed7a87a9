package io.reflow.contracts.crypto;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that wraps data keys before they leave the replay job (AES-256-GCM; the team, session and key id are
 * associated data, so a wrapped key cannot be moved to another session's row). It comes from the environment:
 * {@code REFLOW_MASTER_KEY} (base64 of 32 random bytes, e.g. a Kubernetes Secret) or {@code REFLOW_MASTER_KEY_FILE}
 * (a file holding that base64 text; the local stack generates one under its data dir). Its {@link #id} (a hash
 * prefix, not the key) goes on every key row so a rotation can tell which master key wrapped what.
 */
public final class MasterKey {
    public static final String ENV = "REFLOW_MASTER_KEY";
    public static final String FILE_ENV = "REFLOW_MASTER_KEY_FILE";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final String id;

    private MasterKey(byte[] key) {
        if (key.length != DataKey.BYTES) {
            throw new IllegalArgumentException("the master key must be " + DataKey.BYTES + " bytes (base64 of 32 random bytes), was "
                    + key.length);
        }
        this.key = key.clone();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("reflow-master-key-id" + Base64.getEncoder().encodeToString(key))
                    .getBytes(StandardCharsets.UTF_8));
            this.id = HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A master key from its base64 text. */
    public static MasterKey fromBase64(String base64) {
        try {
            return new MasterKey(Base64.getDecoder().decode(base64.strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the master key is not valid base64 of 32 bytes: " + e.getMessage());
        }
    }

    /** The base64 text of a new random master key. */
    public static String generateBase64() {
        byte[] key = new byte[DataKey.BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** {@code REFLOW_MASTER_KEY}, else the file {@code REFLOW_MASTER_KEY_FILE} names, else empty. */
    public static Optional<MasterKey> fromEnv(Map<String, String> env) {
        String inline = env.get(ENV);
        if (inline != null && !inline.isBlank()) {
            return Optional.of(fromBase64(inline));
        }
        String file = env.get(FILE_ENV);
        if (file != null && !file.isBlank()) {
            return Optional.of(fromFile(Path.of(file.strip())));
        }
        return Optional.empty();
    }

    public static MasterKey fromFile(Path file) {
        try {
            return fromBase64(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the master key file " + file, e);
        }
    }

    /** A hash prefix that names this key without revealing it. */
    public String id() {
        return id;
    }

    /** The data key wrapped for one session: base64 of nonce and ciphertext. */
    public String wrap(DataKey dataKey, long teamId, String sessionId) {
        byte[] nonce = new byte[BlockEncryption.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(BlockEncryption.TAG_BITS, nonce));
            cipher.updateAAD(context(dataKey.id(), teamId, sessionId));
            byte[] sealed = cipher.doFinal(dataKey.bytes());
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** The data key of a wrapped key; fails when it was wrapped by another master key or for another session. */
    public DataKey unwrap(String wrapped, UUID keyId, long teamId, String sessionId) {
        byte[] bytes = Base64.getDecoder().decode(wrapped);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(BlockEncryption.TAG_BITS, bytes, 0, BlockEncryption.NONCE_BYTES));
            cipher.updateAAD(context(keyId, teamId, sessionId));
            return new DataKey(keyId, cipher.doFinal(bytes, BlockEncryption.NONCE_BYTES, bytes.length - BlockEncryption.NONCE_BYTES));
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("key " + keyId + " was not wrapped by this master key for team " + teamId
                    + " session " + sessionId, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    private static byte[] context(UUID keyId, long teamId, String sessionId) {
        return ("reflow-session-key/1|" + teamId + "|" + sessionId + "|" + keyId).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "MasterKey[" + id + ", key hidden]";
    }
}
