package io.reflow.testsupport.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** S3Proxy's properties file: an S3 API on 127.0.0.1 storing buckets as directories under {@code baseDir}. */
record S3ProxyConfig(int port, String accessKey, String secretKey, Path baseDir) {

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("s3proxy.endpoint", endpoint());
        p.put("s3proxy.authorization", "aws-v2-or-v4");
        p.put("s3proxy.identity", accessKey);
        p.put("s3proxy.credential", secretKey);
        p.put("jclouds.provider", "filesystem");
        p.put("jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
        return p;
    }

    void writeTo(Path file) {
        String text = properties().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
