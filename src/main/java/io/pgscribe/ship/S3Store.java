package io.pgscribe.ship;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The object store of one backup set, through the AWS SDK's S3 client: what the ship route
 * checks after an upload, what remote pruning deletes, what a restore from S3 downloads. Every
 * failure becomes a {@link PgscribeException} naming the bucket and endpoint.
 */
public final class S3Store implements AutoCloseable {

    /** Metadata keys on every shipped object (x-amz-meta-*). */
    public static final String META_SHA256 = "pgscribe-sha256";
    public static final String META_FILE = "pgscribe-file";

    private final S3Config config;
    private final S3Client client;

    public S3Store(S3Config config) {
        this.config = config;
        this.client = newClient(config);
    }

    public S3Config config() {
        return config;
    }

    /** The client, also handed to camel-aws2-s3 (bean {@code s3Client}) so both see the same store. */
    public S3Client client() {
        return client;
    }

    static S3Client newClient(S3Config c) {
        var b = S3Client.builder()
                .region(Region.of(c.region()))
                // plain signed payloads: some S3-compatible stores keep aws-chunked bodies as sent (measured with
                // s3rver: the stored object held the chunk signatures); a part is hashed before it goes, so at most
                // one part (pgscribe.ship.part-size) is held in memory
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle())
                        .chunkedEncodingEnabled(false).build())
                // integrity comes from Content-MD5 and the sha256 pgscribe checks itself; the newer default
                // checksum trailers are refused by several S3-compatible stores
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!c.endpoint().isEmpty()) {
            b.endpointOverride(URI.create(c.endpoint()));
        }
        if (!c.accessKey().isEmpty()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return b.build();
    }

    /** The object's size and pgscribe metadata, or null when there is no such object. */
    public HeadObjectResponse head(String relative) {
        try {
            return client.headObject(HeadObjectRequest.builder().bucket(config.bucket()).key(config.key(relative)).build());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw explain(e, "checking " + relative);
        } catch (SdkException e) {
            throw explain(e, "checking " + relative);
        }
    }

    /** Checks that the store holds {@code relative} as shipped: its size, and its sha256 where the upload set one. */
    public void confirm(String relative, long bytes, String sha256) {
        HeadObjectResponse h = head(relative);
        if (h == null) {
            throw new PgscribeException("the upload of " + relative + " to " + config.describe() + " was acknowledged, but the "
                    + "object is not there", "Check the store's consistency; the file is shipped again on the next run.",
                    ExitCode.FAILED, null);
        }
        String remoteSha = h.metadata() == null ? null : h.metadata().get(META_SHA256);
        if (h.contentLength() != bytes || (remoteSha != null && !remoteSha.equals(sha256))) {
            throw new PgscribeException("the store holds " + relative + " with " + h.contentLength() + " bytes"
                    + (remoteSha == null ? "" : " and sha256 " + remoteSha) + ", not " + bytes + " bytes with sha256 " + sha256,
                    "The upload was damaged on its way; it is shipped again on the next run.", ExitCode.FAILED, null);
        }
    }

    /** Downloads {@code relative} into {@code target} (written owner-only). */
    public void download(String relative, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            Files.createFile(target, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    io.pgscribe.storage.DurableFiles.OWNER_FILE));
            try (InputStream in = client.getObject(GetObjectRequest.builder().bucket(config.bucket())
                    .key(config.key(relative)).build());
                 var out = Files.newOutputStream(target)) {
                in.transferTo(out);
            }
        } catch (NoSuchKeyException e) {
            throw new PgscribeException(relative + " is listed in the manifest at " + config.describe() + " but the store has no "
                    + "object " + config.key(relative), "The remote copy is incomplete; restore from another copy.",
                    ExitCode.DAMAGED, null);
        } catch (SdkException e) {
            throw explain(e, "downloading " + relative);
        } catch (IOException e) {
            throw new PgscribeException("cannot write " + target + ": " + e.getMessage(), "Check the disk.", ExitCode.FAILED, e);
        }
    }

    /** Deletes these backup-set files from the store (deleting a missing object is no error). */
    public void delete(List<String> relatives) {
        for (int from = 0; from < relatives.size(); from += 1000) {
            List<ObjectIdentifier> ids = new ArrayList<>();
            for (String r : relatives.subList(from, Math.min(relatives.size(), from + 1000))) {
                ids.add(ObjectIdentifier.builder().key(config.key(r)).build());
            }
            try {
                var resp = client.deleteObjects(DeleteObjectsRequest.builder().bucket(config.bucket())
                        .delete(Delete.builder().objects(ids).quiet(true).build()).build());
                if (resp.hasErrors() && !resp.errors().isEmpty()) {
                    var e = resp.errors().get(0);
                    throw new PgscribeException("the store refused to delete " + e.key() + " from " + config.describe() + ": "
                            + e.code() + " " + e.message(), "Check the credentials' delete permission.", ExitCode.FAILED, null);
                }
            } catch (SdkException e) {
                throw explain(e, "deleting pruned objects");
            }
        }
    }

    /** An error that names the bucket and the endpoint and says what to do; never a credential. */
    public PgscribeException explain(Throwable t, String doing) {
        String where = config.describe();
        if (t instanceof S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String status = e.statusCode() + (code == null ? "" : " " + code);
            if (e.statusCode() == 403 || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
                return new PgscribeException("the S3 store refused pgscribe's credentials for " + where + " while " + doing
                        + " (" + status + ")", "Check pgscribe.s3.access-key and PGSCRIBE_S3_SECRET_KEY (or the AWS default "
                        + "credentials chain) and that they may list the bucket (s3:ListBucket: without it, AWS answers 403, "
                        + "not 404, for an object that is not there yet) and read, write and delete under " + config.url()
                        + " (s3:GetObject, s3:PutObject, s3:DeleteObject).",
                        ExitCode.FAILED, null);
            }
            if ("NoSuchBucket".equals(code)) {
                return new PgscribeException("there is no " + where + " (" + status + ")",
                        "Create the bucket, or fix pgscribe.s3.bucket / pgscribe.s3.endpoint.", ExitCode.FAILED, null);
            }
            return new PgscribeException("the S3 store answered " + status + " for " + where + " while " + doing + ": "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage()),
                    "Check the store; the operation is retried.", ExitCode.FAILED, null);
        }
        if (t instanceof SdkClientException && noCredentials(t)) {
            // the SDK's own message lists every provider of its chain: long, and not what the operator fixes
            return new PgscribeException("no credentials for " + where + " while " + doing + ": pgscribe.s3.access-key "
                    + "is unset and the AWS default credentials chain found none",
                    "Set pgscribe.s3.access-key and PGSCRIBE_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).",
                    ExitCode.USAGE, null);
        }
        if (t instanceof SdkClientException) {
            return new PgscribeException("cannot reach " + where + " while " + doing + ": " + rootMessage(t),
                    "Check pgscribe.s3.endpoint and that the store is up" + (doing.equals("shipping")
                            ? "; files wait locally and are shipped when it is back." : "."),
                    ExitCode.FAILED, null);
        }
        if (t instanceof PgscribeException p) {
            return p;
        }
        return new PgscribeException(doing + " at " + where + " failed: " + rootMessage(t), "Check the store.", ExitCode.FAILED,
                null);
    }

    private static boolean noCredentials(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    public static Map<String, String> metadata(String relative, String sha256) {
        return Map.of(META_SHA256, sha256, META_FILE, relative);
    }

    @Override
    public void close() {
        client.close();
    }
}
