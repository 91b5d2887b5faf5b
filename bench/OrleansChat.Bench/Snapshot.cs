namespace OrleansChat.Bench;

/// <summary>CPU used so far (the server's PIDs, this generator, each role) and grain calls counted so far, at one moment.</summary>
internal sealed record Snapshot(long Ticks, double? Server, double Self, double[] Roles, double? GrainCalls)
{
    public static async Task<Snapshot> TakeAsync(BenchOptions options, RssSampler rss, HttpClient http, CancellationToken cancellationToken) =>
        new(
            System.Diagnostics.Stopwatch.GetTimestamp(),
            rss.CpuSeconds(),
            Environment.CpuUsage.TotalTime.TotalSeconds,
            [.. options.Roles.Select(role => ProcStat.CpuSeconds(role.Pids))],
            await OrleansChat.Bench.GrainCalls.ReadAsync(http, options.MetricsUrls, cancellationToken));

    /// <summary>Each role's CPU between <paramref name="from"/> and this snapshot, over <paramref name="seconds"/>.</summary>
    public IReadOnlyList<RoleCpu> RolesSince(Snapshot from, BenchOptions options, double seconds) =>
        [.. options.Roles.Select((role, i) =>
        {
            var used = Roles[i] - from.Roles[i];
            return new RoleCpu(role.Name, role.Pids, Math.Round(used, 3), seconds > 0 ? Math.Round(used / seconds, 4) : 0);
        })];

    public double? GrainCallsPerSecondSince(Snapshot from, double seconds) =>
        GrainCalls is { } to && from.GrainCalls is { } start && seconds > 0 ? Math.Round((to - start) / seconds, 1) : null;
}

/// <summary>The measured phase of a run: from one snapshot to another.</summary>
internal sealed record Measured(Snapshot From, Snapshot To, double? LoadStart)
{
    public double Seconds => System.Diagnostics.Stopwatch.GetElapsedTime(From.Ticks, To.Ticks).TotalSeconds;

    public double? Server => To.Server - From.Server;

    public double Self => To.Self - From.Self;
}
