package io.pgscribe.alert;

/** How bad a finding is; each level says how soon someone must act. */
public enum Severity {
    OK,
    /** look at it today */
    WARNING,
    /** act now: backup coverage or the server is at risk */
    CRITICAL,
    /** the server or the backup chain is about to be lost */
    EMERGENCY;

    public boolean atLeast(Severity other) {
        return compareTo(other) >= 0;
    }
}
