package io.pgscribe.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

/** Keeps what io.pgscribe logs during a test, so a test can assert a log message it triggered. */
public final class LogCapture extends AppenderBase<ILoggingEvent> {

    private static final StringBuffer TEXT = new StringBuffer();

    @Override
    protected void append(ILoggingEvent e) {
        TEXT.append(e.getLevel()).append(' ').append(e.getFormattedMessage()).append('\n');
    }

    public static String text() {
        return TEXT.toString();
    }
}
