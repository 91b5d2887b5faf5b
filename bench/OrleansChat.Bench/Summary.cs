using System.Globalization;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// <c>summarize FILE...</c>: for each scenario/mode in the JSON lines, the median and min–max of each figure over
/// the runs, as markdown (the table of docs/benchmarks.md is made from this).
/// </summary>
internal static class Summary
{
    private static readonly (string Label, string Path, string Format)[] Figures =
    [
        ("connections", "connect.connected", "F0"),
        ("connect failures", "connect.failed", "F0"),
        ("connect p99 ms", "connect.latency.p99Ms", "F1"),
        ("acked posts/s", "posts.ackedPerSecond", "F0"),
        ("post failures", "posts.failed", "F0"),
        ("ack p50 ms", "posts.ackLatency.p50Ms", "F1"),
        ("ack p99 ms", "posts.ackLatency.p99Ms", "F1"),
        ("deliveries/s", "delivery.deliveriesPerSecond", "F0"),
        ("expected", "delivery.expected", "F0"),
        ("lost", "delivery.lost", "F0"),
        ("duplicates", "delivery.duplicates", "F0"),
        ("out-of-order", "delivery.outOfOrder", "F0"),
        ("streams broken/ended", "delivery.readErrors", "F0"),
        ("reconnects", "delivery.reconnects", "F0"),
        ("latency p50 ms", "delivery.latency.p50Ms", "F1"),
        ("latency p90 ms", "delivery.latency.p90Ms", "F1"),
        ("latency p99 ms", "delivery.latency.p99Ms", "F1"),
        ("latency max ms", "delivery.latency.maxMs", "F1"),
        ("backlog complete", "resume.complete", "F0"),
        ("backlog within 50 ms", "resume.within50Ms", "F0"),
        ("backlog p50 ms", "resume.backlogLatency.p50Ms", "F1"),
        ("backlog p99 ms", "resume.backlogLatency.p99Ms", "F1"),
        ("backlog max ms", "resume.backlogLatency.maxMs", "F1"),
        ("server cores used", "cpu.serverCores", "F2"),
        ("server µs CPU/delivery", "cpu.serverMicrosPerDelivery", "F1"),
        ("load generator cpu-s", "cpu.loadGeneratorCpuSeconds", "F1"),
        ("load average (start)", "cpu.loadAverageStart", "F1"),
        ("RSS baseline MiB", "rss.baselineKb", "K"),
        ("RSS connected MiB", "rss.connectedKb", "K"),
        ("RSS peak MiB", "rss.peakSampledKb", "K"),
        ("RSS/connection B", "rss.bytesPerConnection", "F0"),
    ];

    public static int Print(string[] files)
    {
        if (files.Length == 0)
        {
            Console.Error.WriteLine("summarize: give the JSON-lines files of the runs.");
            return 2;
        }

        var runs = files.SelectMany(File.ReadLines)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        foreach (var group in runs.GroupBy(r => (Str(r, "scenario"), Str(r, "mode"))))
        {
            var list = group.ToList();
            Console.WriteLine($"### {group.Key.Item1} {group.Key.Item2} — {list.Count} run(s): median (min–max)");
            Console.WriteLine();
            Console.WriteLine("| figure | median (min–max) |");
            Console.WriteLine("|---|---|");
            foreach (var (label, path, format) in Figures)
            {
                var values = list.Select(r => Number(r, path)).OfType<double>().Order().ToArray();
                if (values.Length == 0)
                {
                    continue;
                }

                Console.WriteLine($"| {label} | {Fmt(Median(values), format)} ({Fmt(values[0], format)}–{Fmt(values[^1], format)}) |");
            }

            Console.WriteLine();
        }

        return 0;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static string Fmt(double value, string format) => format == "K"
        ? (value / 1024).ToString("F0", CultureInfo.InvariantCulture)
        : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    private static double? Number(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Number ? element.GetDouble() : null;
    }
}
