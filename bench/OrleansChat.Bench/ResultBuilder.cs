using System.Diagnostics;

namespace OrleansChat.Bench;

/// <summary>Turns what a run observed (its connections, posts, latencies, memory and CPU) into its <see cref="BenchResult"/>.</summary>
internal sealed class ResultBuilder(BenchOptions options)
{
    public BenchResult Build(
        Subscriber[] subscribers,
        Subscriber[] connected,
        Histogram connectLatency,
        Posters posters,
        LatencySplit latency,
        RssSampler rss,
        RunPhases phases,
        Measured cpu,
        Func<int, long> roomEvents,
        MessageChanges? changes,
        FinalStateResult? finalState)
    {
        var tally = DeliveryTally.Of(connected, roomEvents);

        // Live deliveries only (a resume run's backlog is measured separately), from the first post to the last delivery.
        var liveDelivered = connected.Sum(s => Math.Max(0, s.Seqs.Unique - phases.BacklogAcked[s.Room]));
        var connectErrors = subscribers.Where(s => !s.Connected && s.Error is not null)
            .GroupBy(s => s.Error!).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}").ToArray();

        var postedLive = posters.AckedTotal - phases.BacklogAcked.Sum();
        double? offered = options.Rate > 0 && options.Idle <= 0 && options.Duration > 0 ? options.Rate : null;
        var achieved = posters.AchievedPerSecond(postedLive, options.Rate);
        var cold = options.Cold > 0
            ? new ColdResult(options.Cold, phases.ServerAgeSeconds is { } age ? Round(age) : null, latency.Windows()!, posters.AckLatency.Windows()!)
            : null;
        var connections = connected.Length;
        double? perConnection = connections > 0 && phases.BaselineKb is { } b && phases.ConnectedKb is { } c ? Math.Round((c - b) * 1024.0 / connections) : null;
        return new BenchResult(
            options.Scenario,
            options.Mode,
            options.Auth,
            phases.StartedAt,
            [.. options.Urls.Select(u => u.ToString())],
            options.RoomPrefix,
            options.Rooms,
            options.Subscribers,
            options.Rate,
            options.Posters,
            options.Duration,
            options.MessageSize,
            options.Idle > 0 ? options.Idle : null,
            new ConnectResult(subscribers.Length, connections, subscribers.Length - connections, connectErrors, Round(phases.ConnectSeconds), connectLatency.Summary()),
            new PostResult(posters.Attempted, posters.AckedTotal, posters.Failed, posters.Errors, Round(phases.PostSeconds),
                phases.PostSeconds > 0 ? Math.Round(postedLive / phases.PostSeconds) : 0, offered, Math.Round(achieved, 1),
                offered is { } rate && achieved < 0.98 * rate, posters.AckLatency.All.Summary(),
                offered is null ? null : posters.SendLag.Summary()),
            Delivery(connected, tally, liveDelivered, offered + ChangesPerSecond(changes), latency, phases),
            Resume(subscribers.Length, connected, phases),
            cold,
            new RssResult(rss.Pids, phases.BaselineKb, phases.ConnectedKb, phases.LoadedKb, rss.PeakSampledKb(), rss.HighWaterKb(), perConnection),
            Cpu(cpu, tally.Delivered, liveDelivered),
            changes is null || finalState is null ? null : new ChangesResult(
                changes.Plan.EditPercent, changes.Plan.DeletePercent, changes.EditsSent, changes.EditsAcked, changes.DeletesSent, changes.DeletesAcked,
                changes.Failed, changes.Errors, changes.AckLatency.Summary(), changes.SendLag.Summary(), finalState));
    }

    /// <summary>The edits and deletions made per second of posting: events offered beside the posts.</summary>
    private double ChangesPerSecond(MessageChanges? changes) =>
        changes is null || options.Duration <= 0 ? 0 : (changes.EditsSent + changes.DeletesSent) / options.Duration;

    /// <param name="offered">Room events offered per second (posts, and in the edits mix edits and deletions), or null.</param>
    private DeliveryResult Delivery(Subscriber[] connected, DeliveryTally tally, long liveDelivered, double? offered, LatencySplit latency, RunPhases phases)
    {
        var lastDelivery = connected.Select(s => s.LastDeliveryTicks).DefaultIfEmpty(0).Max();
        var deliverySeconds = lastDelivery > phases.PostStart ? Stopwatch.GetElapsedTime(phases.PostStart, lastDelivery).TotalSeconds : 0;
        var firstDelivery = connected.Select(s => s.FirstLiveDeliveryTicks).Where(t => t != 0).DefaultIfEmpty(0).Min();

        // Deliveries the same way as acks: at the offered rate however late each one is, unless they fall behind.
        double? offeredDeliveries = offered is { } rate ? Math.Round(rate * options.Subscribers) : null;
        var deliverySpan = firstDelivery > 0 && lastDelivery >= firstDelivery
            ? Stopwatch.GetElapsedTime(firstDelivery, lastDelivery).TotalSeconds + (options.Rate > 0 ? 1 / options.Rate : 0)
            : 0;
        var achievedDeliveries = deliverySpan > 0 ? Math.Round(liveDelivered / deliverySpan) : 0;
        return new DeliveryResult(tally.Expected, tally.Delivered, tally.Lost, connected.Sum(s => s.Seqs.Duplicates), connected.Sum(s => s.Seqs.OutOfOrder),
            tally.Unexpected, connected.Sum(s => s.Seqs.Gaps), tally.SkippedByGap, connected.Sum(s => s.Resets), tally.ConnectionsIncomplete,
            connected.Sum(s => s.EndedByServer), connected.Sum(s => s.ReadErrors), connected.Sum(s => s.Reconnects), connected.Count(s => s.GaveUp),
            tally.LostSample,
            [.. connected.Where(s => s.LastReadError is not null).GroupBy(s => s.LastReadError!).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}")],
            deliverySeconds > 0 ? Math.Round(liveDelivered / deliverySeconds) : 0,
            offeredDeliveries,
            achievedDeliveries,
            offeredDeliveries is { } rateOfDeliveries && achievedDeliveries < 0.98 * rateOfDeliveries,
            Round(phases.DrainSeconds), latency.All.Summary());
    }

    private ResumeResult? Resume(int clients, Subscriber[] connected, RunPhases phases)
    {
        if (options.Backlog <= 0)
        {
            return null;
        }

        var backlogLatency = new Histogram();
        var within50 = 0;
        foreach (var s in connected.Where(s => s.BacklogDoneTicks != 0))
        {
            var ticks = s.BacklogDoneTicks - s.RequestStartTicks;
            backlogLatency.RecordTicks(ticks);
            within50 += Stopwatch.GetElapsedTime(0, ticks) <= TimeSpan.FromMilliseconds(50) ? 1 : 0;
        }

        return new ResumeResult(clients, options.Backlog, (int)backlogLatency.Count, within50, Round(phases.PrefillSeconds), backlogLatency.Summary());
    }

    private CpuResult Cpu(Measured cpu, long delivered, long liveDelivered) => new(
        Round(cpu.Seconds),
        cpu.Server is { } server ? Round(server) : null,
        cpu.Server is { } busy && cpu.Seconds > 0 ? Round(busy / cpu.Seconds) : null,
        cpu.Server is { } used && delivered > 0 ? Round(used * 1e6 / (options.Backlog > 0 && options.Duration <= 0 ? delivered : Math.Max(1, liveDelivered))) : null,
        Round(cpu.Self),
        cpu.LoadStart,
        RssSampler.LoadAverage(),
        Environment.ProcessorCount,
        cpu.To.RolesSince(cpu.From, options, cpu.Seconds),
        cpu.To.GrainCallsPerSecondSince(cpu.From, cpu.Seconds));

    private static double Round(double value) => Math.Round(value, 3);
}
