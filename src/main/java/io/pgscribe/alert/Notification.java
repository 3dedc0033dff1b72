package io.pgscribe.alert;

import java.util.Map;

/** One message to one channel: the endpoint, the headers and the body the send route hands it. */
public record Notification(String channel, String endpointUri, Map<String, Object> headers, String body) {

    /** For logs: the channel, never the endpoint (it may hold a webhook secret or a password). */
    @Override
    public String toString() {
        return channel;
    }
}
