package io.pgscribe.monitor;

import io.pgscribe.pg.OutputPluginAllowlist;

/**
 * What is known of whether the server lets the slot's output plugin decode.
 *
 * @param server    the server, as named in messages (host:port)
 * @param plugin    the slot's output plugin
 * @param allowlist the server's output_plugin_libraries where this role can read it (null: the server
 *                  has none, or the role may not see it)
 * @param refusal   the server's words when pg_recvlogical was last refused, while no later start has
 *                  got past them (null: no refusal; known only inside the runtime)
 */
public record DecoderAllowance(String server, String plugin, OutputPluginAllowlist allowlist, String refusal) {

    /** Whether the server refuses the plugin now, or will at the next start of decoding. */
    public boolean listed() {
        return allowlist == null || allowlist.allows(plugin);
    }

    /** The exact statements that allow the plugin again, from the list as it is where known. */
    public String fix() {
        OutputPluginAllowlist from = allowlist == null ? OutputPluginAllowlist.SERVER_DEFAULT : allowlist;
        return from.fixFor(plugin) + (allowlist == null ? " (keep any other names the list holds now)" : "");
    }
}
