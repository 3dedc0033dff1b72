package io.pgscribe;

/**
 * An error the user can act on: what went wrong, and a hint (a whole sentence) saying
 * what to do. The CLI prints both and exits with {@link #exitCode()}.
 */
public class PgscribeException extends RuntimeException {

    private final String hint;
    private final int exitCode;

    public PgscribeException(String message, String hint) {
        this(message, hint, ExitCode.FAILED, null);
    }

    public PgscribeException(String message, String hint, int exitCode, Throwable cause) {
        super(message, cause);
        this.hint = hint;
        this.exitCode = exitCode;
    }

    public String hint() {
        return hint;
    }

    public int exitCode() {
        return exitCode;
    }
}
