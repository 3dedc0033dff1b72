package io.pgscribe.verify;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.Manifest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a backup set is as new as it should be. A signature proves who wrote a manifest, not
 * that it is the newest one: anyone who can write the bucket can put back an older signed set
 * (a replay), and a restore would take it. A running runtime writes its manifest at least once
 * per heartbeat, so a manifest last written long ago is an old set, or a runtime that stopped.
 */
public final class Freshness {

    private static final Pattern SHORT = Pattern.compile("(\\d+)([smhd])");

    private Freshness() {
    }

    /** "90s", "30m", "2h", "7d", or ISO-8601 ("PT2H"). */
    public static Duration parse(String text, String flag) {
        Matcher m = SHORT.matcher(text.trim());
        try {
            Duration d;
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(text.trim());
            }
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // said below
        }
        throw new PgscribeException(flag + " " + text + " is not a duration", "Write it like 90s, 30m, 2h or 7d.",
                ExitCode.USAGE, null);
    }

    /** Why {@code m} is older than {@code maxAge} at {@code now}, or null when it is not. */
    public static String problem(Manifest m, Duration maxAge, Instant now) {
        if (m.writtenAt() == null) {
            return "the manifest does not say when it was written (made by an older pgscribe, and not written since)";
        }
        Instant at = Instant.parse(m.writtenAt());
        Duration age = Duration.between(at, now);
        if (age.compareTo(maxAge) <= 0) {
            return null;
        }
        return "the manifest was last written at " + m.writtenAt() + ", " + describe(age) + " ago, longer than " + describe(maxAge)
                + ": a running runtime writes it at least once per heartbeat, so this is an older set put in its place, "
                + "or its runtime stopped writing";
    }

    static String describe(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        return s < 172800 ? s / 3600 + " h" : s / 86400 + " days";
    }
}
