package io.pgscribe.config;

import java.net.URI;
import java.util.Locale;

/** An {@code http://} endpoint off this machine: what it carries (backups, alerts, bearer URLs) crosses the network readable. */
public final class PlainHttp {

    private PlainHttp() {
    }

    public static boolean offLoopback(String url) {
        URI u;
        try {
            u = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).equals("http") || u.getHost() == null) {
            return false;
        }
        String h = u.getHost().toLowerCase(Locale.ROOT);
        return !(h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1"));
    }
}
