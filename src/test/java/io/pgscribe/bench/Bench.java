package io.pgscribe.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bench/run}: pgscribe's benchmarks. Each compares pgscribe with a baseline measured
 * in the same run, on the same throwaway cluster, in alternating order, and prints ratios
 * (the machines here are noisy; one absolute time means little).
 */
@Command(name = "bench/run", mixinStandardHelpOptions = true, subcommands = {RestoreBench.class, CaptureBench.class, MemoryBench.class, SourceBench.class},
        description = "Side-by-side benchmarks; results go to standard output as Markdown for bench/RESULTS.md.")
public final class Bench implements Runnable {

    /** The output plugins the benchmarks decode with, allowed on their clusters (output_plugin_libraries). */
    static final java.util.List<String> PLUGINS = java.util.List.of("wal2json", "test_decoding");

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
