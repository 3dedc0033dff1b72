package io.pgscribe.monitor;

import io.pgscribe.alert.Severity;

/** One alert rule's state: which rule, how bad, what is wrong, and what to do (no table data, ever). */
public record Finding(String rule, Severity severity, String message, String hint) {
}
