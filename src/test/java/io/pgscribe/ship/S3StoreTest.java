package io.pgscribe.ship;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3StoreTest {

    private static final S3Config CONFIG = new S3Config("backups", "shop/", "http://127.0.0.1:9", "us-east-1", true, "AK",
            "never-printed", false, false, "", "");

    private static S3Exception answer(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).build()).build();
    }

    @Test
    void a403NamesTheStoreThePermissionsAndThatAMissingObjectAnswers403WithoutListBucket() {
        try (S3Store store = new S3Store(CONFIG)) {
            PgscribeException e = store.explain(answer(403, "AccessDenied"), "checking manifest.json");
            assertThat(e.getMessage()).contains("refused pgscribe's credentials for bucket backups")
                    .contains("while checking manifest.json (403 AccessDenied)").doesNotContain("never-printed");
            assertThat(e.hint()).contains("s3:ListBucket").contains("403, not 404").contains("s3:PutObject")
                    .contains("s3:DeleteObject");
            assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
        }
    }

    @Test
    void aMissingBucketIsNamedAsSuch() {
        try (S3Store store = new S3Store(CONFIG)) {
            PgscribeException e = store.explain(answer(404, "NoSuchBucket"), "shipping");
            assertThat(e.getMessage()).startsWith("there is no bucket backups");
            assertThat(e.hint()).contains("Create the bucket");
        }
    }
}
