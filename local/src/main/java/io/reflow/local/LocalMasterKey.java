package io.reflow.local;

import io.reflow.contracts.crypto.MasterKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The local stack's master key for recording encryption: generated once under the data dir (readable by its owner
 * only) and kept, so data keys wrapped in an earlier run still open. Deleting the data dir deletes it with the rest.
 */
final class LocalMasterKey {
    private LocalMasterKey() {}

    static Path ensure(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, MasterKey.generateBase64() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file);
        }
        MasterKey.fromFile(file); // fails now, not at the first encrypted session, if the file was damaged
        return file;
    }
}
