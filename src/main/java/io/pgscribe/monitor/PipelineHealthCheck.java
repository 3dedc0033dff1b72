package io.pgscribe.monitor;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Camel health check pgscribe/pipeline (pgscribe/orders for the database orders): UP only while the capture runs and no alert rule is at CRITICAL or worse. */
public final class PipelineHealthCheck extends AbstractHealthCheck {

    private final Monitor monitor;

    public PipelineHealthCheck(String id, Monitor monitor) {
        super("pgscribe", id);
        this.monitor = monitor;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Monitor.Snapshot s = monitor.last();
        if (s != null) {
            builder.detail("severity", s.worst().name());
            s.findings().forEach(f -> builder.detail("rule." + f.rule(), f.severity() + ": " + f.message()));
            if (s.pipeline() != null) {
                builder.detail("capture.up", String.valueOf(s.pipeline().captureUp()));
            }
        }
        if (monitor.healthy()) {
            builder.up();
        } else {
            builder.message(s == null ? "no sample yet" : s.error() != null ? s.error()
                    : "capture " + (s.pipeline() != null && Boolean.TRUE.equals(s.pipeline().captureUp()) ? "up" : "down")
                    + ", worst alert " + s.worst() + s.findings().stream().filter(f -> f.severity() == s.worst())
                            .map(Finding::rule).reduce((a, b) -> a + ", " + b).map(r -> " (" + r + ")").orElse(""));
            builder.down();
        }
    }
}
