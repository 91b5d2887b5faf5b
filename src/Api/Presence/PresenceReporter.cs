using Microsoft.Extensions.Options;

namespace OrleansChat.Api.Presence;

/// <summary>
/// Tells each room's presence grain which streams this node holds open to it: every report interval one call per
/// room that changed (the streams opened and closed meanwhile, never a call per connection), and every third of a
/// lease period one lease renewal per silo (<see cref="SiloLeaseRenewals"/>), which keeps this node's streams counting
/// in every room on that silo, so a node that died stops counting within a lease and a quiet room costs no call.
/// </summary>
/// <remarks>
/// One loop makes every call, a tick's calls finish before the next tick's start, so each grain hears this node's
/// reports in the order they happened. A failed call marks its room for a full renewal on the next tick; a silo gone,
/// or a silo lease that ran out, makes the next tick renew every room in full (their grains may have lost it).
/// </remarks>
internal sealed partial class PresenceReporter(
    IGrainFactory grains,
    IOptions<PresenceOptions> options,
    TimeProvider time,
    PresenceMetrics metrics,
    SiloLeaseRenewals silos,
    ILogger<PresenceReporter> logger) : BackgroundService
{
    private const int ConcurrentCalls = 32;

    private readonly PresenceTerms _terms = options.Value.Terms;
    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(options.Value.ReportMilliseconds);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeRoomStreams> _rooms = [];

    // The rooms the next tick looks at: those with news, and those emptied, to be forgotten. Not all rooms: a tick
    // every 100 ms over 10,000 quiet rooms was most of an idle node's own work.
    private readonly HashSet<string> _due = [];
    private readonly Lock _stopLock = new();
    private Task? _stopped;
    private long _lastStreamId;

    /// <summary>Names this node's leases; a restarted node is a new one, whose predecessor's leases simply expire.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Counts a stream of <paramref name="user"/> (anonymous when null) in the room until disposed.</summary>
    public IDisposable Open(string roomId, PresenceUser? user)
    {
        var streamId = Interlocked.Increment(ref _lastStreamId);
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out var room))
            {
                _rooms[roomId] = room = new NodeRoomStreams();
            }

            room.Open(user, streamId);
            _due.Add(roomId);
        }

        return new Counted(this, roomId, user, streamId);
    }

    /// <summary>The streams this node counts, in every room.</summary>
    public int OpenStreams
    {
        get
        {
            lock (_lock)
            {
                return _rooms.Values.Sum(room => room.Streams);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveCountedStreams(() => OpenStreams);
        using var timer = new PeriodicTimer(_interval, time);
        var renewEvery = _terms.Lease / 3;
        var nextRenewal = time.GetUtcNow() + renewEvery;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var renew = false;
                if (time.GetUtcNow() >= nextRenewal)
                {
                    nextRenewal = time.GetUtcNow() + renewEvery;
                    renew = await silos.RenewAsync(NodeId, _terms);
                }

                await ReportAsync(renew, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The node is stopping and its streams are about to end: its users' grace starts now rather than when its
    /// lease runs out, so those who do not reconnect elsewhere leave after the grace. Bounded by the host's shutdown
    /// timeout (<paramref name="cancellationToken"/>): a silo that does not answer must not hold the node up.
    /// </summary>
    /// <remarks>
    /// A host may stop its services more than once, and at once (the tests' <c>WebApplicationFactory</c> host runs two
    /// stops together). Every call waits for the one release: a second call that returned at once would let its host
    /// stop the Orleans client while the release is still on its way, and the release could be lost.
    /// </remarks>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock)
        {
            return (_stopped ??= ReleaseAsync(cancellationToken)).WaitAsync(cancellationToken);
        }
    }

    private async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        string[] rooms;
        lock (_lock)
        {
            rooms = [.. _rooms.Keys];
            _rooms.Clear();
        }

        var nothing = new NodePresence([], 0);
        try
        {
            await Parallel.ForEachAsync(rooms, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCalls, CancellationToken = cancellationToken },
                async (roomId, token) => await grains.GetGrain<IPresenceGrain>(roomId).Renew(NodeId, nothing, _terms).WaitAsync(token));
        }
        catch (Exception exception)
        {
            // The lease runs out instead.
            LogReleaseFailed(logger, exception);
        }
    }

    /// <summary>One round of calls: the changes of every room that has some, and everything in every room when renewing.</summary>
    internal async Task ReportAsync(bool renew, CancellationToken cancellationToken)
    {
        var calls = new List<(string RoomId, PresenceDelta? Delta, NodePresence? All)>();
        lock (_lock)
        {
            string[] due = renew ? [.. _rooms.Keys] : [.. _due];
            _due.Clear();
            foreach (var roomId in due)
            {
                if (!_rooms.TryGetValue(roomId, out var room))
                {
                    continue;
                }

                if (room.IsIdle)
                {
                    // Its last close went out on an earlier tick.
                    _rooms.Remove(roomId);
                    continue;
                }

                if (room.Streams == 0)
                {
                    _due.Add(roomId);
                }

                if (room.NeedsRenewal)
                {
                    calls.Add((roomId, null, room.TakeAll()));
                }
                else if (renew)
                {
                    // The changes go first: a grain that is refilling after losing its state takes a renewal's users as
                    // ones its readers already know, and must hear who is new from a report.
                    calls.Add((roomId, room.TakeDelta(), room.TakeAll()));
                }
                else if (room.TakeDelta() is { } delta)
                {
                    calls.Add((roomId, delta, null));
                }
            }
        }

        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCalls, CancellationToken = cancellationToken },
            async (call, _) =>
            {
                var grain = grains.GetGrain<IPresenceGrain>(call.RoomId);
                try
                {
                    if (call.Delta is { } delta)
                    {
                        await grain.Report(NodeId, delta, _terms);
                        metrics.Reported(renewal: false);
                    }

                    if (call.All is { } all)
                    {
                        await grain.Renew(NodeId, all, _terms);
                        metrics.Reported(renewal: true);
                    }
                }
                catch (Exception exception)
                {
                    // Whatever went wrong, the grain may now lack this call's news; the next call sends all of it.
                    LogReportFailed(logger, exception, call.RoomId);
                    lock (_lock)
                    {
                        if (!_rooms.TryGetValue(call.RoomId, out var room))
                        {
                            _rooms[call.RoomId] = room = new NodeRoomStreams();
                        }

                        room.NeedsRenewal = true;
                        _due.Add(call.RoomId);
                    }
                }
            });
    }

    private void Close(string roomId, PresenceUser? user, long streamId)
    {
        lock (_lock)
        {
            // The room stays until a tick has reported this close, unless the node has stopped reporting.
            if (_rooms.TryGetValue(roomId, out var room))
            {
                room.Close(user, streamId);
                _due.Add(roomId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release this node's presence as it stopped; its leases run out instead.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report presence in room {RoomId}; the next report sends all of it.")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string roomId);

    private sealed class Counted(PresenceReporter reporter, string roomId, PresenceUser? user, long streamId) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                reporter.Close(roomId, user, streamId);
            }
        }
    }
}
