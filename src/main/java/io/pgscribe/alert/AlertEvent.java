package io.pgscribe.alert;


/**
 * What a route reports to the alert route: a rule firing at a severity, or resolved. Routes in
 * YAML send the same as headers ({@code pgscribeAlert}, {@code pgscribeAlertSeverity},
 * {@code pgscribeAlertState}) and a one-line body.
 */
public record AlertEvent(String rule, Severity severity, boolean resolved, String message, String hint) {

    public static AlertEvent firing(String rule, Severity severity, String message, String hint) {
        return new AlertEvent(rule, severity, false, message, hint);
    }

    public static AlertEvent resolved(String rule, String message) {
        return new AlertEvent(rule, Severity.OK, true, message, null);
    }
}
