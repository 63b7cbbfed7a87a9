package io.reflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.testsupport.s3.S3Extension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.model.LifecycleRule;

class RetentionLifecycleIT {
    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @Test
    void oneExpiryRulePerRetentionPrefixADayAfterItsClassAndOneForIncompleteUploads() {
        List<LifecycleRule> rules = RetentionLifecycle.rules("recordings");
        List<LifecycleRule> expiry = rules.subList(0, 4);
        assertThat(expiry).extracting(r -> r.filter().prefix())
                .containsExactly("recordings/30d/", "recordings/90d/", "recordings/1y/", "recordings/5y/");
        assertThat(expiry).extracting(r -> r.expiration().days()).containsExactly(31, 91, 366, 1826);
        LifecycleRule abort = rules.get(4);
        assertThat(rules).hasSize(5);
        assertThat(abort.filter().prefix()).isEqualTo("recordings/");
        assertThat(abort.abortIncompleteMultipartUpload().daysAfterInitiation()).isEqualTo(7);
        assertThat(abort.expiration()).isNull();
    }

    @Test
    void anS3ApiServerWithoutLifecycleSupportIsSkippedAndTheBucketStaysUsable() {
        // S3Proxy's filesystem backend (the local stack's) does not implement PutBucketLifecycleConfiguration
        assertThat(RetentionLifecycle.apply(S3.client(), S3.bucket(), "recordings")).isFalse();
        S3.client().putObject(b -> b.bucket(S3.bucket()).key("recordings/30d/x"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("x"));
        assertThat(S3.client().headObject(b -> b.bucket(S3.bucket()).key("recordings/30d/x")).contentLength()).isEqualTo(1);
    }
}
