package io.reflow.testsupport.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3ServerIT {
    private static final int MB = 1024 * 1024;

    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @Test
    void getReturnsWhatWasPut() {
        byte[] content = randomBytes(100_000, 1);
        String key = "sessions/2024/01/01/block-1.json.zst";

        S3.client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(content));

        assertThat(S3.client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray()).isEqualTo(content);
        assertThat(S3.client().headObject(b -> b.bucket(S3.bucket()).key(key)).contentLength()).isEqualTo(100_000L);
    }

    @Test
    void rangeGetReturnsExactlyTheRequestedBytes() {
        byte[] content = randomBytes(MB, 2);
        String key = "range/object";
        S3.client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(content));

        ResponseBytes<GetObjectResponse> middle =
                S3.client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key).range("bytes=1000-1999"));
        assertThat(middle.asByteArray()).isEqualTo(Arrays.copyOfRange(content, 1000, 2000));
        assertThat(middle.response().contentRange()).isEqualTo("bytes 1000-1999/" + MB);

        assertThat(S3.client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key).range("bytes=" + (MB - 10) + "-"))
                .asByteArray()).isEqualTo(Arrays.copyOfRange(content, MB - 10, MB));
        assertThat(S3.client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key).range("bytes=-7"))
                .asByteArray()).isEqualTo(Arrays.copyOfRange(content, MB - 7, MB));
    }

    @Test
    void multipartUploadJoinsItsPartsInOrder() {
        String key = "multipart/object";
        List<byte[]> parts = List.of(randomBytes(5 * MB, 3), randomBytes(5 * MB + 17, 4), randomBytes(1234, 5));
        S3Client s3 = S3.client();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(S3.bucket()).key(key)).uploadId();

        List<CompletedPart> completed = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            int partNumber = i + 1;
            String etag = s3.uploadPart(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId).partNumber(partNumber),
                    RequestBody.fromBytes(parts.get(partNumber - 1))).eTag();
            completed.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        }
        assertThat(s3.listParts(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)).parts()).hasSize(3);
        s3.completeMultipartUpload(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed)));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        parts.forEach(expected::writeBytes);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray())
                .isEqualTo(expected.toByteArray());
        assertThat(s3.getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key).range("bytes=" + (5 * MB - 5) + "-" + (5 * MB + 4)))
                .asByteArray()).isEqualTo(Arrays.copyOfRange(expected.toByteArray(), 5 * MB - 5, 5 * MB + 5));
    }

    @Test
    void inFlightMultipartUploadIsListedAsUploadButNotAsObject() {
        String key = "in-flight/object";
        S3Client s3 = S3.client();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(S3.bucket()).key(key)).uploadId();
        s3.uploadPart(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(randomBytes(5 * MB, 6)));

        assertThat(s3.listObjectsV2(b -> b.bucket(S3.bucket()).prefix("in-flight")).contents()).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(S3.bucket())).contents()).extracting(S3Object::key)
                .noneMatch(k -> k.contains("in-flight") || k.contains("mpu"));
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(S3.bucket()).key(key)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThat(s3.listMultipartUploads(b -> b.bucket(S3.bucket())).uploads()).extracting(MultipartUpload::uploadId)
                .contains(uploadId);

        s3.abortMultipartUpload(b -> b.bucket(S3.bucket()).key(key).uploadId(uploadId));

        assertThat(s3.listMultipartUploads(b -> b.bucket(S3.bucket())).uploads()).extracting(MultipartUpload::uploadId)
                .doesNotContain(uploadId);
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(S3.bucket()).key(key)))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void deleteObjectsRemovesSeveralKeysAtOnce() {
        S3Client s3 = S3.client();
        for (String key : List.of("bulk/a", "bulk/b", "bulk/c")) {
            s3.putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromString(key));
        }

        s3.deleteObjects(b -> b.bucket(S3.bucket()).delete(d -> d.objects(
                ObjectIdentifier.builder().key("bulk/a").build(), ObjectIdentifier.builder().key("bulk/b").build())));

        assertThat(s3.listObjectsV2(b -> b.bucket(S3.bucket()).prefix("bulk/")).contents())
                .extracting(S3Object::key).containsExactly("bulk/c");
    }

    @Test
    void createBucketIsIdempotent() {
        S3.server().createBucket("second-bucket");
        S3.server().createBucket("second-bucket");

        assertThat(S3.client().listBuckets().buckets()).extracting(b -> b.name())
                .contains(S3.bucket(), "second-bucket");
    }

    @Test
    void requestsWithWrongCredentialsAreRejected() {
        try (S3Client intruder = S3Clients.create(S3.endpoint(), S3.accessKey(), "wrong-secret")) {
            assertThatThrownBy(() -> intruder.listObjectsV2(b -> b.bucket(S3.bucket())))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    void restartOnTheSameDirKeepsObjects(@TempDir Path dir) {
        try (S3Server server = S3Server.start(dir, 0, "key", "secret")) {
            server.createBucket("durable");
            server.client().putObject(b -> b.bucket("durable").key("k"), RequestBody.fromString("kept"));
            String endpoint = server.endpoint();

            server.restart();

            assertThat(server.endpoint()).isEqualTo(endpoint);
            assertThat(server.client().getObjectAsBytes(b -> b.bucket("durable").key("k")).asString(StandardCharsets.UTF_8))
                    .isEqualTo("kept");
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
