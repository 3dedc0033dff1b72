package io.pgscribe.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The runtime's management server (metrics and health, as the image serves them) on a free
 * port: the settings that turn it on, and a GET of one of its paths.
 */
public final class ManagementEndpoint {

    public final int port;

    private ManagementEndpoint(int port) {
        this.port = port;
    }

    public static ManagementEndpoint onFreePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return new ManagementEndpoint(s.getLocalPort());
        }
    }

    /** camel.* settings that serve /observe/metrics and /observe/health on this port. */
    public Map<String, String> settings() {
        return Map.of("camel.management.enabled", "true", "camel.management.port", String.valueOf(port),
                "camel.management.metricsEnabled", "true", "camel.management.healthCheckEnabled", "true",
                "camel.metrics.enabled", "true");
    }

    /** The body of {@code GET path}, e.g. "/observe/health". */
    public String get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
