using System.Globalization;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// <c>summarize FILE...</c>: for each scenario in the JSON lines, the median and min–max of each figure over the runs,
/// one column per target (floor, embedded, cluster), as markdown (docs/benchmarks.md's tables are made from this).
/// </summary>
internal static class Summary
{
    private static readonly (string Label, string Path, string Format)[] Figures =
    [
        ("connections", "connect.connected", "F0"),
        ("connect failures", "connect.failed", "F0"),
        ("connect p99 ms", "connect.latency.p99Ms", "F1"),
        ("offered posts/s", "posts.offeredPerSecond", "F0"),
        ("achieved posts/s", "posts.achievedPerSecond", "F0"),
        ("acked posts/s", "posts.ackedPerSecond", "F0"),
        ("generator send lag p99 ms", "posts.sendLag.p99Ms", "F1"),
        ("post failures", "posts.failed", "F0"),
        ("ack p50 ms", "posts.ackLatency.p50Ms", "F1"),
        ("ack p99 ms", "posts.ackLatency.p99Ms", "F1"),
        ("deliveries/s", "delivery.deliveriesPerSecond", "F0"),
        ("achieved deliveries/s", "delivery.achievedPerSecond", "F0"),
        ("expected", "delivery.expected", "F0"),
        ("lost", "delivery.lost", "F0"),
        ("duplicates", "delivery.duplicates", "F0"),
        ("out-of-order", "delivery.outOfOrder", "F0"),
        ("streams broken/ended", "delivery.readErrors", "F0"),
        ("reconnects", "delivery.reconnects", "F0"),
        ("edits acked", "changes.editsAcked", "F0"),
        ("deletes acked", "changes.deletesAcked", "F0"),
        ("edit/delete failures", "changes.failed", "F0"),
        ("edit/delete ack p99 ms", "changes.ackLatency.p99Ms", "F1"),
        ("views exactly the final state", "changes.finalState.viewsExact", "F0"),
        ("view messages unlike the final state", "changes.finalState.viewMismatches", "F0"),
        ("history unlike the answers", "changes.finalState.historyMismatches", "F0"),
        ("latency p50 ms", "delivery.latency.p50Ms", "F1"),
        ("latency p90 ms", "delivery.latency.p90Ms", "F1"),
        ("latency p99 ms", "delivery.latency.p99Ms", "F1"),
        ("latency max ms", "delivery.latency.maxMs", "F1"),
        ("cold: server age at first post s", "cold.serverAgeSeconds", "F1"),
        ("cold: first s latency p50 ms", "cold.delivery.first.p50Ms", "F1"),
        ("cold: first s latency p99 ms", "cold.delivery.first.p99Ms", "F1"),
        ("cold: first s ack p99 ms", "cold.ack.first.p99Ms", "F1"),
        ("cold: after latency p99 ms", "cold.delivery.after.p99Ms", "F1"),
        ("backlog complete", "resume.complete", "F0"),
        ("backlog within 50 ms", "resume.within50Ms", "F0"),
        ("backlog p50 ms", "resume.backlogLatency.p50Ms", "F1"),
        ("backlog p99 ms", "resume.backlogLatency.p99Ms", "F1"),
        ("backlog max ms", "resume.backlogLatency.maxMs", "F1"),
        ("server cores used", "cpu.serverCores", "F2"),
        ("server µs CPU/delivery", "cpu.serverMicrosPerDelivery", "F1"),
        ("grain calls/s", "cpu.grainCallsPerSecond", "F1"),
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
        foreach (var scenario in runs.GroupBy(r => Str(r, "scenario")))
        {
            // One column per target, the floor first, so a scenario run against several reads side by side.
            var modes = scenario.GroupBy(r => Str(r, "mode"))
                .OrderBy(m => Array.IndexOf(ModeOrder, m.Key) is var i && i >= 0 ? i : ModeOrder.Length)
                .Select(m => (Mode: m.Key, Runs: m.ToList()))
                .ToList();
            Console.WriteLine($"### {scenario.Key}: median (min–max) of the runs");
            Console.WriteLine();
            Console.WriteLine($"| figure | {string.Join(" | ", modes.Select(m => $"{m.Mode} ({m.Runs.Count} runs)"))} |");
            Console.WriteLine($"|---|{string.Concat(modes.Select(_ => "---|"))}");
            Row("SATURATED runs: posts / deliveries (achieved < 98 % of offered)", modes.Select(m =>
                m.Runs.Any(r => Number(r, "posts.offeredPerSecond") is not null)
                    ? $"{m.Runs.Count(r => Saturated(r, "posts"))} / {m.Runs.Count(r => Saturated(r, "delivery"))} of {m.Runs.Count}"
                    : "–"));
            foreach (var (label, path, format) in Figures)
            {
                Row(label, modes.Select(m => Cell(m.Runs.Select(r => Number(r, path)), format)));
            }

            foreach (var role in modes.SelectMany(m => m.Runs).SelectMany(Roles).Select(r => r.Name).Distinct())
            {
                Row($"cores: {role}", modes.Select(m => Cell(m.Runs.Select(r => Roles(r).Where(x => x.Name == role).Select(x => (double?)x.Cores).FirstOrDefault()), "F3")));
            }

            Console.WriteLine();
        }

        return 0;
    }

    private static bool Saturated(JsonElement run, string part) =>
        run.TryGetProperty(part, out var value) && value.TryGetProperty("saturated", out var saturated) && saturated.GetBoolean();

    private static readonly string[] ModeOrder = ["floor", "embedded", "cluster"];

    private static void Row(string label, IEnumerable<string> cells)
    {
        var values = cells.ToList();
        if (values.Any(v => v != "–"))
        {
            Console.WriteLine($"| {label} | {string.Join(" | ", values)} |");
        }
    }

    private static string Cell(IEnumerable<double?> values, string format)
    {
        var sorted = values.OfType<double>().Order().ToArray();
        return sorted.Length == 0 ? "–"
            : sorted.Length == 1 ? Fmt(sorted[0], format)
            : $"{Fmt(Median(sorted), format)} ({Fmt(sorted[0], format)}–{Fmt(sorted[^1], format)})";
    }

    private static IEnumerable<(string Name, double Cores)> Roles(JsonElement run) =>
        run.TryGetProperty("cpu", out var cpu) && cpu.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
            ? roles.EnumerateArray().Select(r => (Str(r, "role"), r.GetProperty("cores").GetDouble()))
            : [];

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
