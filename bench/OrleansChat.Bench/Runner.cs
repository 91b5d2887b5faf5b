using System.Diagnostics;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// One benchmark run: (resume only) prefill each room's backlog; open every SSE connection and report connect
/// times and failures; hold; post for the duration (in the edits mix, also edit and delete); wait for the deliveries
/// to drain; (edits mix) check every subscriber's view against its room's history; report.
/// </summary>
internal sealed class Runner(BenchOptions options)
{
    private static readonly TimeSpan RssPeriod = TimeSpan.FromMilliseconds(250);

    private readonly ProgressLog _progress = new(options.Progress);

    public async Task<int> RunAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        using var sseHttp = BenchHttp.Client(Timeout.InfiniteTimeSpan);
        using var postHttp = BenchHttp.Client(TimeSpan.FromSeconds(30));
        await using var rss = new RssSampler(options.Pids, RssPeriod);

        var roomIds = Enumerable.Range(0, options.Rooms).Select(r => $"{options.RoomPrefix}-{r}").ToArray();
        var subscribers = Enumerable.Range(0, options.Rooms * options.Subscribers)
            .Select(i => new Subscriber(i, i % options.Rooms, options.Urls[i % options.Urls.Count], roomIds[i % options.Rooms]) { Presence = options.Presence })
            .ToArray();
        var posterTokens = options.Auth ? await SignInAsync(postHttp, subscribers, stop.Token) : null;
        var posters = new Posters(postHttp, options.Urls, roomIds, options.MessageSize, posterTokens);
        var changes = options.Edits > 0 || options.Deletes > 0
            ? new MessageChanges(postHttp, options.Urls, roomIds, options.MessageSize, new ChangePlan(options.Edits, options.Deletes), posterTokens, stop.Token)
            : null;
        if (changes is not null)
        {
            posters.OnAcked = changes.PostAcked;
            foreach (var subscriber in subscribers)
            {
                subscriber.TrackMessages();
            }
        }

        long RoomEvents(int room) => posters.Acked(room) + (changes?.Acked(room) ?? 0);
        var latency = new LatencySplit();
        using var metricsHttp = BenchHttp.Client(TimeSpan.FromSeconds(10));
        var connector = new Connector(sseHttp, latency);
        var baselineKb = rss.CurrentKb();
        var loadStart = RssSampler.LoadAverage();
        ProgressLog.Log($"{options.Scenario} {options.Mode}: {options.Rooms} rooms × {options.Subscribers} subscribers on {string.Join(",", options.Urls)}; rooms {options.RoomPrefix}-*");

        // Resume: the backlog goes in first; every subscriber then asks for it at once.
        double prefillSeconds = 0;
        if (options.Backlog > 0)
        {
            var prefillStart = Stopwatch.GetTimestamp();
            await posters.RunAsync(options.Posters, 0, prefillStart, long.MaxValue, (long)options.Backlog * options.Rooms, recordLatency: false, stop.Token);
            prefillSeconds = Stopwatch.GetElapsedTime(prefillStart).TotalSeconds;
            ProgressLog.Log($"prefilled {posters.AckedTotal} messages in {prefillSeconds:F1} s ({posters.Failed} failed)");
            foreach (var subscriber in subscribers)
            {
                subscriber.BacklogTarget = posters.Acked(subscriber.Room);
            }
        }

        var backlogAcked = Enumerable.Range(0, options.Rooms).Select(posters.Acked).ToArray();

        // Connect.
        var connectStart = Stopwatch.GetTimestamp();
        var resumeCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var concurrency = options.Backlog > 0 ? subscribers.Length : options.ConnectConcurrency;
        using (_progress.Start("connect", () => $"{subscribers.Count(s => s.Connected)}/{subscribers.Length} connected", stop.Token))
        {
            await connector.ConnectAsync(subscribers, concurrency, stop.Token);
        }

        var connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        var connected = subscribers.Where(s => s.Connected).ToArray();
        ProgressLog.Log($"connected {connected.Length}/{subscribers.Length} in {connectSeconds:F2} s; connect p50 {connector.Latency.PercentileMs(0.5):F1} ms, p99 {connector.Latency.PercentileMs(0.99):F1} ms");

        if (options.Backlog > 0)
        {
            await Poll.UntilAsync(() => connected.All(s => s.BacklogDoneTicks != 0 || s.GaveUp), options.DrainTimeout, stop.Token);
        }

        var afterConnect = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);

        if (options.Hold > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Hold), stop.Token);
        }

        var connectedKb = rss.CurrentKb();

        // Post.
        foreach (var subscriber in connected)
        {
            subscriber.RecordLatency = true;
        }

        var postCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var postStart = Stopwatch.GetTimestamp();
        var serverAge = options.Pids.Count > 0 ? ProcStat.AgeSeconds(options.Pids[0]) : null;
        if (options.Cold > 0)
        {
            latency.EarlyUntilTicks = posters.AckLatency.EarlyUntilTicks = postStart + (long)(options.Cold * Stopwatch.Frequency);
        }

        double postSeconds = 0;
        if (options.Idle > 0)
        {
            ProgressLog.Log($"idle: {connected.Length} connections, no posts, {options.Idle} s");
            await Task.Delay(TimeSpan.FromSeconds(options.Idle), stop.Token);
        }
        else if (options.Duration > 0)
        {
            var backlogTotal = posters.AckedTotal;
            var endTicks = postStart + (long)(options.Duration * Stopwatch.Frequency);
            changes?.EndTicks = endTicks;
            using (_progress.Start("post", () => Progress(posters, changes, backlogTotal, connected), stop.Token))
            {
                await posters.RunAsync(options.Posters, options.Rate, postStart, endTicks, long.MaxValue, recordLatency: true, stop.Token);
                postSeconds = Stopwatch.GetElapsedTime(postStart).TotalSeconds;
                await (changes?.CompletedAsync() ?? Task.CompletedTask);
            }
        }

        // Drain: until every connection has what its room acknowledged, or nothing arrived for the drain timeout. A
        // saturated server may still be delivering long after the last post; what it never delivers is lost.
        var drainStart = Stopwatch.GetTimestamp();
        using (_progress.Start("drain", () => Progress(posters, changes, 0, connected), stop.Token))
        {
            await Poll.UntilStalledAsync(
                () => connected.All(s => s.Seqs.LastSeq >= RoomEvents(s.Room) || s.GaveUp), () => connected.Sum(s => s.Seqs.Unique), options.DrainTimeout, stop.Token);
        }

        var drainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
        var loadedKb = rss.CurrentKb();
        var endCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var measured = new Measured(postCpu, endCpu, loadStart);
        if (options.Backlog > 0 && options.Duration <= 0)
        {
            // A resume run measures the herd: connecting and replaying.
            measured = new Measured(resumeCpu, afterConnect, loadStart);
        }

        await stop.CancelAsync();
        await connector.ReadersStoppedAsync();
        var finalState = changes is null
            ? null
            : await FinalStateCheck.RunAsync(postHttp, options.Urls[0], roomIds, posterTokens?[0], changes, connected, CancellationToken.None);

        var phases = new RunPhases(startedAt, prefillSeconds, backlogAcked, connectSeconds, postStart, postSeconds, drainSeconds, serverAge,
            baselineKb, connectedKb, loadedKb);
        var result = new ResultBuilder(options).Build(subscribers, connected, connector.Latency, posters, latency, rss, phases, measured, RoomEvents, changes, finalState);
        var json = JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult);
        Console.Out.WriteLine(json);
        if (options.JsonFile is { } file)
        {
            await File.AppendAllTextAsync(file, json + Environment.NewLine);
        }

        Console.Error.WriteLine(HumanReport.Of(result));
        return 0;
    }

    /// <summary>A dev token for every subscriber (user <c>bench-sub-i</c>) and poster; returns the posters' tokens.</summary>
    private async Task<string[]> SignInAsync(HttpClient http, Subscriber[] subscribers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var users = subscribers.Select(s => $"bench-sub-{s.Index}").Concat(Enumerable.Range(0, options.Posters).Select(Posters.UserId)).ToArray();
        var tokens = await DevTokens.IssueAsync(http, options.Urls, users, options.ConnectConcurrency, cancellationToken);
        foreach (var subscriber in subscribers)
        {
            subscriber.Token = tokens[subscriber.Index];
        }

        ProgressLog.Log($"got {tokens.Length} dev tokens in {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s");
        return tokens[subscribers.Length..];
    }

    private static string Progress(Posters posters, MessageChanges? changes, long backlog, Subscriber[] connected)
    {
        long delivered = 0;
        foreach (var s in connected)
        {
            delivered += s.Seqs.Unique;
        }

        var changed = changes is null ? "" : $", {changes.EditsAcked + changes.DeletesAcked} edits and deletions acked";
        return $"{posters.AckedTotal - backlog} posts acked, {posters.Failed} failed{changed}, {delivered} delivered";
    }
}
