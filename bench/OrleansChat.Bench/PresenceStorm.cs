using System.Diagnostics;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// The presence scenario (issue 11): every user's tabs open <c>?presence=true</c> streams; once every room lists
/// all its users, a quiet phase is measured; then the first node is killed, its tabs reconnect to another, and the
/// storm (kill → last tab back) and what follows (up to <c>--observe</c> seconds after the kill, past the dead
/// node's lease) are measured: presence events received, each role's CPU, and any leave or join nobody should see.
/// </summary>
internal sealed class PresenceStorm(PresenceStormOptions options)
{
    public async Task<int> RunAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadStart = RssSampler.LoadAverage();
        using var stop = new CancellationTokenSource();
        using var sseHttp = BenchHttp.Client(Timeout.InfiniteTimeSpan);
        using var http = BenchHttp.Client(TimeSpan.FromSeconds(30));
        var progress = new ProgressLog(options.Progress);
        var roster = new PresenceRoster(options);
        var ledger = new PresenceLedger(roster.UsersByRoom);
        var victim = options.Urls[0];
        var checkNode = options.FallbackFor(victim);

        var tokens = await DevTokens.IssueAsync(http, options.Urls, [.. roster.Users.Select(u => u.UserId)], options.ConnectConcurrency, stop.Token);
        foreach (var user in roster.Users)
        {
            user.Token = tokens[user.Index];
        }

        var tabs = roster.Users
            .SelectMany(user => Enumerable.Range(0, options.Tabs).Select(k => roster.HomeOf(user, k)).Select(home => new PresenceTab(user, home, options.FallbackFor(home), ledger)))
            .ToArray();
        ProgressLog.Log($"presence: {options.Users} users × {options.Tabs} tabs = {tabs.Length} streams over {options.Rooms} rooms on {string.Join(",", options.Urls)}; ids {options.Prefix}-*");

        var connectStart = Stopwatch.GetTimestamp();
        var readers = new List<Task>(tabs.Length);
        using (progress.Start("connect", () => $"{tabs.Count(t => t.Connected)}/{tabs.Length} connected", stop.Token))
        {
            using var gate = new SemaphoreSlim(options.ConnectConcurrency);
            await Task.WhenAll(tabs.Select(async tab =>
            {
                await gate.WaitAsync(stop.Token);
                try
                {
                    if (await tab.ConnectAsync(sseHttp, tab.Home, stop.Token) is { } stream)
                    {
                        lock (readers)
                        {
                            readers.Add(Task.Run(() => tab.RunAsync(sseHttp, stream, stop.Token)));
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        var connected = tabs.Count(t => t.Connected);
        ProgressLog.Log($"connected {connected}/{tabs.Length} in {connectSeconds:F1} s");

        // Everyone listed everywhere: from here on no leave and no join is expected.
        var complete = 0;
        await WaitAsync(async () => (complete = (await roster.CheckAsync(http, checkNode, stop.Token)).Complete) == options.Rooms, TimeSpan.FromSeconds(120));
        var listedSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        ProgressLog.Log($"{complete}/{options.Rooms} rooms list all their users, {listedSeconds:F1} s after the first connect");

        var quiet = Cpu();
        await Task.Delay(TimeSpan.FromSeconds(options.Hold), stop.Token);
        var kill = Cpu();
        var victimTabs = tabs.Where(t => t.Connected && t.Home == victim).ToArray();
        if (options.Kill is { } command)
        {
            ProgressLog.Log($"storm: {command} ({victimTabs.Length} tabs on {victim})");
            await RunShellAsync(command);
        }

        using (progress.Start("storm", () => $"{victimTabs.Count(t => t.ConnectedTicks > kill.Ticks)}/{victimTabs.Length} reconnected", stop.Token))
        {
            await Poll.UntilAsync(() => victimTabs.All(t => t.ConnectedTicks > kill.Ticks), options.Observe, stop.Token);
        }

        var calm = Cpu();
        var reconnected = victimTabs.Count(t => t.ConnectedTicks > kill.Ticks);
        ProgressLog.Log($"{reconnected}/{victimTabs.Length} reconnected in {Seconds(kill, calm):F1} s; watching until {options.Observe} s after the kill");
        var rest = TimeSpan.FromSeconds(options.Observe) - Stopwatch.GetElapsedTime(kill.Ticks);
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, stop.Token);
        }

        var end = Cpu();
        var (roomsComplete, counted) = await roster.CheckAsync(http, checkNode, stop.Token);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var reconnectLatency = new Histogram();
        foreach (var tab in victimTabs.Where(t => t.ConnectedTicks > kill.Ticks))
        {
            reconnectLatency.RecordTicks(tab.ConnectedTicks - kill.Ticks);
        }

        var afterListed = ledger.Between(quiet.Ticks, end.Ticks);
        var spurious = afterListed.Where(e => e.Type is "leave" or "join").ToArray();
        var result = new PresenceStormResult(
            "presence",
            startedAt,
            [.. options.Urls.Select(u => u.ToString())],
            checkNode.ToString(),
            options.Prefix,
            options.Rooms,
            options.Users,
            options.Tabs,
            tabs.Length,
            connected,
            [.. tabs.Where(t => !t.Connected && t.Error is not null).GroupBy(t => t.Error!).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}")],
            Math.Round(connectSeconds, 2),
            Math.Round(listedSeconds, 2),
            options.Kill,
            victimTabs.Length,
            reconnected,
            victimTabs.Sum(t => t.FailedAttempts),
            reconnectLatency.Summary(),
            Math.Round(Seconds(kill, calm), 2),
            Phase("quiet", quiet, kill, ledger),
            Phase("storm", kill, calm, ledger),
            Phase("after-storm", calm, end, ledger),
            spurious.LongCount(e => e.Type == "leave"),
            spurious.LongCount(e => e.Type == "join"),
            [.. spurious.Select(e => $"{e.Type} {e.UserId} (room {e.Room})").Distinct().Take(10)],
            afterListed.LongCount(e => e.Type == "presence" && e.Missing > 0),
            roomsComplete,
            counted,
            options.Users,
            loadStart,
            RssSampler.LoadAverage());
        var json = JsonSerializer.Serialize(result, PresenceStormJsonContext.Default.PresenceStormResult);
        Console.Out.WriteLine(json);
        if (options.JsonFile is { } file)
        {
            await File.AppendAllTextAsync(file, json + Environment.NewLine);
        }

        Console.Error.WriteLine(Report(result));
        return 0;
    }

    private static string Report(PresenceStormResult r) =>
        $"""
        {r.Connected}/{r.Streams} streams ({r.Users} users × {r.TabsPerUser} tabs, {r.Rooms} rooms) connected in {r.ConnectSeconds} s, all listed after {r.ListedSeconds} s
        storm: {r.VictimTabsReconnected}/{r.VictimTabs} tabs of the killed node back in {r.StormSeconds} s (after kill p50 {r.ReconnectAfterKill.P50Ms} ms, max {r.ReconnectAfterKill.MaxMs} ms; {r.FailedReconnectAttempts} failed attempts)
        presence events received: quiet {r.Quiet.EventsPerSecond}/s, storm {r.Storm.EventsPerSecond}/s ({Types(r.Storm)}), after {r.AfterStorm.EventsPerSecond}/s ({Types(r.AfterStorm)})
        CPU (cores): quiet {Cores(r.Quiet)}; storm {Cores(r.Storm)}; after {Cores(r.AfterStorm)}
        spurious: {r.SpuriousLeaves} leave, {r.SpuriousJoins} join events, {r.ShortSnapshots} presence snapshots missing someone {string.Join("; ", r.SpuriousSample)}
        at the end: {r.RoomsComplete}/{r.Rooms} rooms list exactly their users ({r.MembersCounted}/{r.MembersExpected} counted); load {r.LoadAverageStart} → {r.LoadAverageEnd}
        """;

    private static string Types(PresencePhase phase) => string.Join(", ", phase.ByType.Select(t => $"{t.Value} {t.Key}"));

    private static string Cores(PresencePhase phase) => string.Join(", ", phase.Roles.Select(r => $"{r.Role} {r.Cores}"));

    private PresencePhase Phase(string name, Sample from, Sample to, PresenceLedger ledger)
    {
        var seconds = Seconds(from, to);
        var entries = ledger.Between(from.Ticks, to.Ticks);
        return new PresencePhase(
            name,
            Math.Round(seconds, 2),
            entries.Length,
            seconds > 0 ? Math.Round(entries.Length / seconds, 1) : 0,
            entries.GroupBy(e => e.Type).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.LongCount()),
            [.. options.Roles.Select((role, i) =>
            {
                var used = to.Cpu[i] - from.Cpu[i];
                return new RoleCpu(role.Name, role.Pids, Math.Round(used, 3), seconds > 0 ? Math.Round(used / seconds, 3) : 0);
            })]);
    }

    private Sample Cpu() => new(Stopwatch.GetTimestamp(), [.. options.Roles.Select(role => ProcStat.CpuSeconds(role.Pids))]);

    private static double Seconds(Sample from, Sample to) => Stopwatch.GetElapsedTime(from.Ticks, to.Ticks).TotalSeconds;

    private static async Task RunShellAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not run '{command}'.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}.");
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await done() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100);
        }
    }

    /// <summary>A moment of the run: when, and each role's CPU seconds so far.</summary>
    private sealed record Sample(long Ticks, double[] Cpu);
}
