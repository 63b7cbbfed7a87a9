package io.reflow.viewer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The S3 client the viewer reads blocks with, from its configuration (static keys, or the default AWS chain). */
final class S3Access {
    private S3Access() {}

    static S3Client client(ViewerConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.s3Region()))
                .forcePathStyle(config.s3PathStyle())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        config.s3Endpoint().ifPresent(builder::endpointOverride);
        if (config.s3AccessKey().isPresent() && config.s3SecretKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.s3AccessKey().get(), config.s3SecretKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }
}
