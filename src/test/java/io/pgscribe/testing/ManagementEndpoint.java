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

    /** The machine's first address that is not loopback, if it has one. */
    public static java.util.Optional<java.net.InetAddress> nonLoopbackAddress() throws IOException {
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        return java.util.Optional.of(a);
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether something accepts connections on this port at {@code address}. */
    public boolean listensOn(java.net.InetAddress address) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The body of {@code GET path}, e.g. "/observe/health". */
    public String get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
