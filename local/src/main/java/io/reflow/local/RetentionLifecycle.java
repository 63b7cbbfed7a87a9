package io.reflow.local;

import io.reflow.contracts.RetentionClass;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;


/**
 * One S3 lifecycle rule per retention prefix ({@code <prefix>/<30d|90d|1y|5y>/}): batch files expire a day after their
 * class's retention (a file's last block may be up to a day younger than the file). The data keys of encrypted blocks
 * expire with the class already, so the recordings are unreadable before the files go. A last rule aborts multipart
 * uploads under the prefix that were never completed after {@value #ABORT_INCOMPLETE_UPLOADS_DAYS} days (batch files
 * still pending in a checkpoint are such uploads, so this is longer than any savepoint the job is restored from
 * locally). The Helm chart renders the same rules (templates/_s3-lifecycle.tpl). S3 API servers that do not
 * implement lifecycle configuration (S3Proxy's filesystem backend) are told and skipped: the keys' expiry still holds.
 */
final class RetentionLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionLifecycle.class);

    static final int ABORT_INCOMPLETE_UPLOADS_DAYS = 7;

    private RetentionLifecycle() {}

    static List<LifecycleRule> rules(String prefix) {
        List<LifecycleRule> rules = new ArrayList<>();
        for (RetentionClass c : RetentionClass.values()) {
            rules.add(LifecycleRule.builder()
                    .id("reflow-recordings-" + c.pathSegment())
                    .filter(LifecycleRuleFilter.builder().prefix(prefix + "/" + c.pathSegment() + "/").build())
                    .expiration(LifecycleExpiration.builder().days(c.days() + 1).build())
                    .status(ExpirationStatus.ENABLED)
                    .build());
        }
        rules.add(LifecycleRule.builder()
                .id("reflow-recordings-abort-incomplete-uploads")
                .filter(LifecycleRuleFilter.builder().prefix(prefix + "/").build())
                .abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder()
                        .daysAfterInitiation(ABORT_INCOMPLETE_UPLOADS_DAYS).build())
                .status(ExpirationStatus.ENABLED)
                .build());
        return rules;
    }

    /** True when the rules are in place, false when the server does not support them. */
    static boolean apply(S3Client s3, String bucket, String prefix) {
        try {
            s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                    .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules(prefix)).build()));
            return true;
        } catch (SdkException e) {
            LOG.info("the S3 API server does not take lifecycle rules ({}); recordings still become unreadable when their"
                    + " keys expire, files stay until removed by other means", e.getMessage());
            return false;
        }
    }
}
