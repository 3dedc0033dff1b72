package io.pgscribe.testing;

import com.robothy.s3.rest.LocalS3;
import com.robothy.s3.rest.bootstrap.LocalS3Mode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server in this JVM (LocalS3, data on disk so that it can be stopped
 * and started again on the same port, as a store that goes away and comes back).
 */
public final class S3TestServer implements AutoCloseable {

    private final Path data;
    private final int port;
    private LocalS3 server;
    private S3Client client;

    public S3TestServer(Path data) throws Exception {
        this.data = data;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        start();
    }

    public synchronized void start() {
        server = LocalS3.builder().port(port).mode(LocalS3Mode.PERSISTENCE).dataPath(data.toString()).build();
        server.start();
    }

    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server = null;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public synchronized S3Client client() {
        if (client == null) {
            client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint()))
                    .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                    .build();
        }
        return client;
    }

    public void createBucket(String bucket) {
        client().createBucket(b -> b.bucket(bucket));
    }

    /** Object keys under {@code prefix} with their sizes. */
    public Map<String, Long> objects(String bucket, String prefix) {
        Map<String, Long> out = new HashMap<>();
        List<S3Object> all = client().listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build())
                .contents().stream().toList();
        all.forEach(o -> out.put(o.key(), o.size()));
        return out;
    }

    /** The pipeline settings that ship to this server. */
    public Map<String, String> shipping(String bucket) {
        Map<String, String> s = new HashMap<>();
        s.put("pgscribe.ship.enabled", "true");
        s.put("pgscribe.s3.bucket", bucket);
        s.put("pgscribe.s3.endpoint", endpoint());
        s.put("pgscribe.s3.path-style", "true");
        s.put("pgscribe.s3.access-key", "test");
        s.put("pgscribe.s3.secret-key", "test");
        return s;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        stop();
    }
}
