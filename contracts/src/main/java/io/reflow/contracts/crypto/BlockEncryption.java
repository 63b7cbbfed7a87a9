package io.reflow.contracts.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The encrypted form of a recording block: a 32-byte header, then the AES-256-GCM ciphertext (with its 16-byte tag)
 * of the block's zstd frame. Compressed first, then encrypted, so the block is still independently decodable given its
 * key. The header is the format magic {@code RFE\1}, the data key's id (16 bytes) and the 12-byte nonce; all of it is
 * GCM associated data, so a block cannot be relabelled with another key id. A zstd frame starts with
 * {@code 28 B5 2F FD}, so plain and encrypted blocks can be told apart by their first four bytes and live side by
 * side in one batch file.
 */
public final class BlockEncryption {
    private static final byte[] MAGIC = {'R', 'F', 'E', 1};
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    public static final int HEADER_BYTES = MAGIC.length + 16 + NONCE_BYTES;
    /** What encryption adds to a block: the header and the GCM tag. */
    public static final int OVERHEAD_BYTES = HEADER_BYTES + TAG_BITS / 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private BlockEncryption() {}

    /** Whether a block (or its first bytes, at least four) is in the encrypted form. */
    public static boolean isEncrypted(byte[] blockStart) {
        if (blockStart.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (blockStart[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    public static byte[] encrypt(byte[] zstdFrame, DataKey key) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.put(MAGIC).putLong(key.id().getMostSignificantBits()).putLong(key.id().getLeastSignificantBits()).put(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.secretKey(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(header.array());
            byte[] out = new byte[HEADER_BYTES + cipher.getOutputSize(zstdFrame.length)];
            System.arraycopy(header.array(), 0, out, 0, HEADER_BYTES);
            cipher.doFinal(zstdFrame, 0, zstdFrame.length, out, HEADER_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** The id of the data key an encrypted block needs. */
    public static UUID keyId(byte[] block) {
        if (!isEncrypted(block) || block.length < OVERHEAD_BYTES) {
            throw new IllegalArgumentException("not an encrypted recording block");
        }
        ByteBuffer b = ByteBuffer.wrap(block, MAGIC.length, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /**
     * The block's zstd frame, or empty when {@code keys} no longer has its key (deleted or expired). A block that does
     * not authenticate under the key it names (tampered, truncated, or a wrong key) fails.
     */
    public static Optional<byte[]> decrypt(byte[] block, BlockKeys keys) {
        Optional<DataKey> key = keys.find(keyId(block));
        return key.map(k -> decrypt(block, k));
    }

    public static byte[] decrypt(byte[] block, DataKey key) {
        if (!keyId(block).equals(key.id())) {
            throw new IllegalArgumentException("the block is encrypted with key " + keyId(block) + ", not " + key.id());
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.secretKey(),
                    new GCMParameterSpec(TAG_BITS, block, MAGIC.length + 16, NONCE_BYTES));
            cipher.updateAAD(block, 0, HEADER_BYTES);
            return cipher.doFinal(block, HEADER_BYTES, block.length - HEADER_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the encrypted block does not authenticate under key " + key.id()
                    + " (damaged, or not the key it was written with)", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }
}
