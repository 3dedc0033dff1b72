package io.pgscribe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Times per method over repeated rounds; medians, and ratios taken round by round. */
final class Measurements {

    private final Map<String, List<Double>> seconds = new LinkedHashMap<>();

    void add(String method, double s) {
        seconds.computeIfAbsent(method, k -> new ArrayList<>()).add(s);
    }

    double median(String method) {
        return median(seconds.get(method));
    }

    /**
     * How many times faster {@code method} was than {@code baseline}: the median of the
     * ratios of each round, so that a slow moment of the machine hits both sides of a ratio.
     */
    double speedup(String method, String baseline) {
        List<Double> a = seconds.get(method);
        List<Double> b = seconds.get(baseline);
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(b.get(i) / a.get(i));
        }
        return median(ratios);
    }

    List<Double> runs(String method) {
        return seconds.get(method);
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static String runsText(List<Double> runs) {
        return String.join(", ", runs.stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList());
    }
}
