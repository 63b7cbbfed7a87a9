package io.reflow.contracts.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BlockEncryptionTest {
    private final byte[] lines = RecordingBlock.line("w1", Json.mapper().createObjectNode().put("timestamp", 1).put("data", "typed secret"));
    private final byte[] frame = RecordingBlock.compress(lines, 3);

    @Test
    void anEncryptedBlockDecryptsToItsZstdFrameWithTheKeyItNames() {
        DataKey key = DataKey.generate();
        byte[] block = BlockEncryption.encrypt(frame, key);

        assertThat(BlockEncryption.isEncrypted(block)).isTrue();
        assertThat(BlockEncryption.isEncrypted(frame)).as("a plain zstd frame").isFalse();
        assertThat(BlockEncryption.keyId(block)).isEqualTo(key.id());
        assertThat(block.length).isEqualTo(frame.length + BlockEncryption.OVERHEAD_BYTES);
        assertThat(BlockEncryption.decrypt(block, BlockKeys.of(List.of(DataKey.generate(), key)))).hasValueSatisfying(
                plain -> assertThat(RecordingBlock.decompress(plain)).isEqualTo(lines));
        assertThat(new String(block, StandardCharsets.ISO_8859_1)).doesNotContain("typed secret");
    }

    @Test
    void aBlockWhoseKeyIsGoneReadsAsEmptyNotAsAnError() {
        byte[] block = BlockEncryption.encrypt(frame, DataKey.generate());

        assertThat(BlockEncryption.decrypt(block, BlockKeys.none())).isEmpty();
        assertThat(BlockEncryption.decrypt(block, BlockKeys.of(List.of(DataKey.generate())))).isEmpty();
    }

    @Test
    void aTamperedBlockOrAnotherKeyUnderTheSameIdFails() {
        DataKey key = DataKey.generate();
        byte[] block = BlockEncryption.encrypt(frame, key);
        byte[] flipped = block.clone();
        flipped[flipped.length - 20] ^= 1;
        assertThatThrownBy(() -> BlockEncryption.decrypt(flipped, key)).hasMessageContaining("does not authenticate");

        DataKey impostor = new DataKey(key.id(), DataKey.generate().bytes());
        assertThatThrownBy(() -> BlockEncryption.decrypt(block, impostor)).hasMessageContaining("does not authenticate");

        // the key id is associated data: relabelling the block for another key id breaks it too
        DataKey other = DataKey.generate();
        byte[] relabelled = block.clone();
        System.arraycopy(java.nio.ByteBuffer.allocate(16).putLong(other.id().getMostSignificantBits())
                .putLong(other.id().getLeastSignificantBits()).array(), 0, relabelled, 4, 16);
        DataKey sameBytesOtherId = new DataKey(other.id(), key.bytes());
        assertThatThrownBy(() -> BlockEncryption.decrypt(relabelled, sameBytesOtherId)).hasMessageContaining("does not authenticate");
    }

    @Test
    void everyBlockGetsItsOwnNonce() {
        DataKey key = DataKey.generate();
        byte[] a = BlockEncryption.encrypt(frame, key);
        byte[] b = BlockEncryption.encrypt(frame, key);
        assertThat(Arrays.copyOfRange(a, 20, 32)).isNotEqualTo(Arrays.copyOfRange(b, 20, 32));
    }

    @Test
    void keysNeverShowInTheirTextForms() {
        DataKey key = DataKey.generate();
        String base64 = java.util.Base64.getEncoder().encodeToString(key.bytes());
        MasterKey master = MasterKey.fromBase64(MasterKey.generateBase64());
        assertThat(key.toString()).doesNotContain(base64).contains(key.id().toString());
        assertThat(master.toString()).contains(master.id()).hasSizeLessThan(60);
    }

    @Test
    void theMasterKeyWrapsADataKeyForOneSessionOnly() {
        String text = MasterKey.generateBase64();
        MasterKey master = MasterKey.fromEnv(Map.of(MasterKey.ENV, text)).orElseThrow();
        DataKey key = DataKey.generate();
        String wrapped = master.wrap(key, 7, "s1");

        assertThat(wrapped).doesNotContain(java.util.Base64.getEncoder().encodeToString(key.bytes()));
        assertThat(master.unwrap(wrapped, key.id(), 7, "s1")).isEqualTo(key);
        assertThatThrownBy(() -> master.unwrap(wrapped, key.id(), 7, "s2")).hasMessageContaining("not wrapped");
        assertThatThrownBy(() -> master.unwrap(wrapped, UUID.randomUUID(), 7, "s1")).hasMessageContaining("not wrapped");
        MasterKey other = MasterKey.fromBase64(MasterKey.generateBase64());
        assertThat(other.id()).isNotEqualTo(master.id());
        assertThatThrownBy(() -> other.unwrap(wrapped, key.id(), 7, "s1")).hasMessageContaining("not wrapped");
        assertThat(MasterKey.fromEnv(Map.of())).isEmpty();
        assertThatThrownBy(() -> MasterKey.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
    }
}
