using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>A run's result as the lines printed on stderr.</summary>
internal static class HumanReport
{
    public static string Of(BenchResult r)
    {
        var d = r.Delivery;
        var lines = new List<string>
        {
            $"== {r.Scenario} {r.Mode}{(r.Auth ? " (a dev token per user)" : "")}: {r.Rooms} rooms × {r.SubscribersPerRoom} subscribers, {(r.IdleSeconds is { } idle ? $"idle {idle} s, no posts" : $"rate {(r.Rate > 0 ? r.Rate.ToString(CultureInfo.InvariantCulture) + "/s" : "max")} with {r.Posters} posters, {r.DurationSeconds} s, {r.MessageSize}-char messages")}",
            $"connect    {r.Connect.Connected}/{r.Connect.Attempted} in {r.Connect.PhaseSeconds} s; p50 {Ms(r.Connect.Latency.P50Ms)} p99 {Ms(r.Connect.Latency.P99Ms)} max {Ms(r.Connect.Latency.MaxMs)}" +
                (r.Connect.Errors.Count > 0 ? $"; errors: {string.Join("; ", r.Connect.Errors)}" : ""),
            $"posts      {r.Posts.Acked} acked / {r.Posts.Attempted} sent, {r.Posts.Failed} failed; {r.Posts.AckedPerSecond}/s; ack p50 {Ms(r.Posts.AckLatency.P50Ms)} p99 {Ms(r.Posts.AckLatency.P99Ms)} max {Ms(r.Posts.AckLatency.MaxMs)}" +
                (r.Posts.Errors.Count > 0 ? $"; errors: {string.Join("; ", r.Posts.Errors)}" : ""),
            r.Posts.OfferedPerSecond is { } offered
                ? $"offered    {offered}/s open-loop, achieved {r.Posts.AchievedPerSecond}/s ({100 * r.Posts.AchievedPerSecond / offered:F1} %){(r.Posts.Saturated ? " — SATURATED" : "")}; the generator's own send lag p99 {Ms(r.Posts.SendLag?.P99Ms)} max {Ms(r.Posts.SendLag?.MaxMs)}"
                : "offered    closed-loop (no rate) or no posts",
            $"delivery   expected {d.Expected}, delivered {d.Delivered}, lost {d.Lost}, duplicates {d.Duplicates}, out-of-order {d.OutOfOrder}, unexpected {d.Unexpected}, gap events {d.Gaps} (skipping {d.SkippedByGap}), resets {d.Resets}; incomplete connections {d.ConnectionsIncomplete}; streams ended by the server {d.EndedByServer}, broken {d.ReadErrors}, reconnects {d.Reconnects}, gave up {d.GaveUp}" +
                (d.Interruptions.Count > 0 ? $"; {string.Join("; ", d.Interruptions)}" : "") +
                (d.LostSample.Count > 0 ? $"{Environment.NewLine}lost e.g.  {string.Join(Environment.NewLine + "           ", d.LostSample)}" : ""),
            $"throughput {d.DeliveriesPerSecond} deliveries/s (live, first post → last delivery); achieved {d.AchievedPerSecond}/s of {d.OfferedPerSecond?.ToString(CultureInfo.InvariantCulture) ?? "-"} offered{(d.Saturated ? " — SATURATED" : "")}; drain {d.DrainSeconds} s",
            $"latency    post→delivery p50 {Ms(d.Latency.P50Ms)} p90 {Ms(d.Latency.P90Ms)} p99 {Ms(d.Latency.P99Ms)} max {Ms(d.Latency.MaxMs)} ({d.Latency.Count} samples)",
        };
        if (r.Changes is { } c)
        {
            var f = c.FinalState;
            lines.Add($"changes    edits {c.EditsAcked} acked / {c.EditsSent} sent ({c.EditPercent} % planned), deletes {c.DeletesAcked} / {c.DeletesSent} ({c.DeletePercent} %), {c.Failed} failed; ack p50 {Ms(c.AckLatency.P50Ms)} p99 {Ms(c.AckLatency.P99Ms)}; send lag p99 {Ms(c.SendLag.P99Ms)}" +
                (c.Errors.Count > 0 ? $"; errors: {string.Join("; ", c.Errors)}" : ""));
            lines.Add($"final      {f.ViewsExact}/{f.Views} views exactly the room's final state, {f.ViewMismatches} messages differ; history of {f.Rooms} rooms: {f.MessagesInHistory} messages ({f.EditedInHistory} edited, {f.DeletedInHistory} deleted), {f.HistoryMismatches} unlike the answers; {f.TrimmedFromHistory} older ones checked against the answers" +
                (f.MismatchSample.Count > 0 ? $"{Environment.NewLine}mismatch   {string.Join(Environment.NewLine + "           ", f.MismatchSample)}" : ""));
        }

        if (r.Resume is { } resume)
        {
            lines.Add($"resume     {resume.Complete}/{resume.Clients} clients got their {resume.Backlog}-message backlog; request→backlog p50 {Ms(resume.BacklogLatency.P50Ms)} p90 {Ms(resume.BacklogLatency.P90Ms)} p99 {Ms(resume.BacklogLatency.P99Ms)} max {Ms(resume.BacklogLatency.MaxMs)}; within 50 ms: {resume.Within50Ms}");
        }

        if (r.Cold is { } cold)
        {
            lines.Add($"cold       server {cold.ServerAgeSeconds?.ToString("F1", CultureInfo.InvariantCulture) ?? "-"} s old at the first post; first {cold.FirstSeconds} s: delivery p50 {Ms(cold.Delivery.First.P50Ms)} p99 {Ms(cold.Delivery.First.P99Ms)}, ack p50 {Ms(cold.Ack.First.P50Ms)} p99 {Ms(cold.Ack.First.P99Ms)}; after: delivery p50 {Ms(cold.Delivery.After.P50Ms)} p99 {Ms(cold.Delivery.After.P99Ms)}, ack p99 {Ms(cold.Ack.After.P99Ms)}");
        }

        if (r.Cpu.Roles.Count > 0 || r.Cpu.GrainCallsPerSecond is not null)
        {
            lines.Add($"roles      {string.Join(", ", r.Cpu.Roles.Select(role => $"{role.Role} {role.Cores:F3} cores"))}; grain calls {r.Cpu.GrainCallsPerSecond?.ToString("F1", CultureInfo.InvariantCulture) ?? "-"}/s");
        }

        lines.Add($"cpu        measured {r.Cpu.MeasuredSeconds} s: server {r.Cpu.ServerCpuSeconds?.ToString(CultureInfo.InvariantCulture) ?? "-"} cpu-s ({r.Cpu.ServerCores?.ToString(CultureInfo.InvariantCulture) ?? "-"} cores, {r.Cpu.ServerMicrosPerDelivery?.ToString(CultureInfo.InvariantCulture) ?? "-"} µs/delivery), load generator {r.Cpu.LoadGeneratorCpuSeconds} cpu-s; load average {r.Cpu.LoadAverageStart} → {r.Cpu.LoadAverageEnd} on {r.Cpu.MachineCores} cores");
        if (r.Rss.Pids.Count > 0)
        {
            lines.Add($"server RSS baseline {Mb(r.Rss.BaselineKb)}, connected {Mb(r.Rss.ConnectedKb)}, loaded {Mb(r.Rss.LoadedKb)}, peak sampled {Mb(r.Rss.PeakSampledKb)}, VmHWM {Mb(r.Rss.HighWaterKb)}; per connection {r.Rss.BytesPerConnection?.ToString("F0", CultureInfo.InvariantCulture) ?? "-"} B");
        }

        return string.Join(Environment.NewLine, lines);

        static string Ms(double? ms) => ms is { } v ? $"{v:F1} ms" : "-";
        static string Mb(long? kb) => kb is { } v ? $"{v / 1024.0:F0} MiB" : "-";
    }
}
