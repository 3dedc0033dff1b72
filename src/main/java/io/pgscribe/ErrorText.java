package io.pgscribe;

import java.nio.file.FileSystemException;

/** What an error says to the operator who acts on it, wherever in the chain of causes that is. */
public final class ErrorText {

    private ErrorText() {
    }

    /**
     * The cause an operator acts on: a file system error (its reason and file) wherever it sits in
     * the chain, else pgscribe's own message, else the innermost message.
     */
    public static String headline(Throwable t) {
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof FileSystemException f) {
                String reason = f.getReason() != null ? f.getReason()
                        : f instanceof java.nio.file.NoSuchFileException ? "No such file or directory"
                        : f instanceof java.nio.file.AccessDeniedException ? "Permission denied" : f.getClass().getSimpleName();
                return reason + " on " + f.getFile();
            }
        }
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof java.io.IOException && c.getMessage() != null && c.getMessage().contains("No space left on device")) {
                return c.getMessage();
            }
        }
        for (Throwable c = t; c != null; c = next(c)) {
            if (c instanceof PgscribeException p) {
                return p.getMessage();
            }
        }
        Throwable root = t;
        while (next(root) != null) {
            root = next(root);
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /**
     * An exception's own message, followed by the cause an operator acts on when the message does
     * not already say it ("cannot write manifest.json: No space left on device on .manifest.json.tmp").
     */
    public static String withCause(Throwable t) {
        String own = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        String cause = headline(t);
        return own.contains(cause) ? own : own + ": " + cause;
    }

    private static Throwable next(Throwable c) {
        return c.getCause() == c ? null : c.getCause();
    }
}
