package io.pgscribe.ship;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.net.URI;

/**
 * Where a backup set is shipped: bucket, key prefix, endpoint (any S3-compatible store),
 * region and credentials. Credentials are never part of {@link #describe()} or any message.
 */
public record S3Config(String bucket, String prefix, String endpoint, String region, boolean pathStyle, String accessKey,
                       String secretKey, boolean sseS3, boolean sseKms, String kmsKeyId, String storageClass) {

    @Override
    public String toString() {
        return describe();
    }

    /** For reading with an explicit {@code s3://} location: the bucket may be left unset in the settings. */
    public static S3Config fromSettingsForRead(Settings s, boolean explicitLocation) {
        if (!explicitLocation) {
            return fromSettings(s);
        }
        return new S3Config("(unset)", "", s.get(Setting.S3_ENDPOINT).strip(), s.get(Setting.S3_REGION).strip(),
                s.getBoolean(Setting.S3_PATH_STYLE), s.get(Setting.S3_ACCESS_KEY).strip(), s.get(Setting.S3_SECRET_KEY), false,
                false, "", "");
    }

    public static S3Config fromSettings(Settings s) {
        String prefix = s.get(Setting.S3_PREFIX).strip();
        if (prefix.isEmpty()) {
            prefix = s.get(Setting.SOURCE_DATABASE);
        }
        S3Config c = new S3Config(s.get(Setting.S3_BUCKET).strip(), trimSlashes(prefix), s.get(Setting.S3_ENDPOINT).strip(),
                s.get(Setting.S3_REGION).strip(), s.getBoolean(Setting.S3_PATH_STYLE), s.get(Setting.S3_ACCESS_KEY).strip(),
                s.get(Setting.S3_SECRET_KEY), s.getBoolean(Setting.S3_SSE_S3), s.getBoolean(Setting.S3_SSE_KMS),
                s.get(Setting.S3_KMS_KEY_ID).strip(), s.get(Setting.S3_STORAGE_CLASS).strip());
        c.validate();
        return c;
    }

    /** The same store, another bucket and prefix: {@code s3://bucket/prefix} from the command line. */
    public S3Config at(String s3Url) {
        if (!s3Url.startsWith("s3://") || s3Url.length() <= 5) {
            throw new PgscribeException("\"" + s3Url + "\" is not an s3://bucket/prefix location",
                    "Write it as s3://BUCKET/PREFIX (the endpoint and credentials come from pgscribe.s3.*).", ExitCode.USAGE, null);
        }
        String rest = s3Url.substring(5);
        int slash = rest.indexOf('/');
        String b = slash < 0 ? rest : rest.substring(0, slash);
        String p = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
        S3Config c = new S3Config(b, p, endpoint, region, pathStyle, accessKey, secretKey, sseS3, sseKms, kmsKeyId, storageClass);
        c.validate();
        return c;
    }

    void validate() {
        if (bucket.isEmpty()) {
            throw new PgscribeException("pgscribe.s3.bucket is empty", "Set pgscribe.s3.bucket to the bucket to ship to.",
                    ExitCode.USAGE, null);
        }
        if (!endpoint.isEmpty()) {
            URI u;
            try {
                u = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || u.getScheme() == null || u.getHost() == null
                    || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new PgscribeException("pgscribe.s3.endpoint \"" + endpoint + "\" is not an http(s) URL",
                        "Write it as http://host:port or https://host (or leave it empty for AWS S3).", ExitCode.USAGE, null);
            }
        }
        if (accessKey.isEmpty() != (secretKey == null || secretKey.isEmpty())) {
            throw new PgscribeException("only one of pgscribe.s3.access-key and its secret key is set",
                    "Set both (the secret in PGSCRIBE_S3_SECRET_KEY), or neither to use the AWS default credentials chain.",
                    ExitCode.USAGE, null);
        }
        if (sseKms && kmsKeyId.isEmpty()) {
            throw new PgscribeException("pgscribe.s3.sse-kms is on but pgscribe.s3.kms-key-id is empty",
                    "Set pgscribe.s3.kms-key-id to the KMS key to encrypt with.", ExitCode.USAGE, null);
        }
        if (sseKms && sseS3) {
            throw new PgscribeException("both pgscribe.s3.sse-s3 and pgscribe.s3.sse-kms are on",
                    "Choose one server-side encryption.", ExitCode.USAGE, null);
        }
    }

    /** The object key of a backup-set file ({@code segments/x.sql.gz} → {@code <prefix>/segments/x.sql.gz}). */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** "bucket B (prefix P) at http://host:9000" — for messages; no credentials. */
    public String describe() {
        return "bucket " + bucket + (prefix.isEmpty() ? "" : " (prefix " + prefix + "/)") + " at "
                + (endpoint.isEmpty() ? "AWS S3 in " + region : endpoint);
    }

    public String url() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private static String trimSlashes(String p) {
        String s = p.strip();
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
