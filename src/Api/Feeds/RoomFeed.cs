using System.Collections.Immutable;
using OrleansChat.Api.Events;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// This node's one feed of a room, shared by all of the node's connections to the room: delivers the room's events
/// to them exactly once and in seq order. A seq jump (a lost stream event) is filled from the room before anything
/// later is delivered. When the room's log is lost and starts again under a new epoch, or its lastSeq falls below what
/// the feed delivered, every connection gets a reset, then the room's events from there.
/// </summary>
internal sealed partial class RoomFeed
{
    private readonly string _roomId;
    private readonly IRoomGrain _room;
    private readonly FrameCache _cache = new();
    private readonly FreshRoomPages _catchUpPages;
    private readonly RoomSubscription _subscription;
    private readonly DeliveryWindow _window;
    private readonly ChatMetrics _metrics;
    private readonly ILogger _logger;

    // Serializes delivery, catch-up and joins, so every connection sees one order and joins at a known seq.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _membersLock = new();
    private ImmutableArray<SseConnection> _members = [];
    private RoomCursor _cursor = null!;
    private int _references;
    private bool _closed;
    private Task? _started;

    // The watchdog's view of the room (only its rounds, one at a time, touch these): the room's last report, whether
    // one came since the last check, and whether the next check must ask the room itself.
    private RoomInfo? _lastReport;
    private bool _reported;
    private bool _askRoom;

    public RoomFeed(string roomId, IClusterClient client, TimeSpan deliveryWindow, TimeProvider time, ChatMetrics metrics, ILogger logger)
    {
        _roomId = roomId;
        _room = client.GetGrain<IRoomGrain>(roomId);
        _metrics = metrics;
        _logger = logger;
        _catchUpPages = new FreshRoomPages(_room, _cache);
        ReplayPages = new SharedRoomPages(_room, _cache);
        var stream = client.GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, roomId));
        _subscription = new RoomSubscription(stream, OnNextAsync, logger);
        _window = new DeliveryWindow(deliveryWindow, time, DeliverWaitingAsync);
    }

    public string RoomId => _roomId;

    /// <summary>The room's history for the replays of this node's connections, shared between them.</summary>
    public IRoomPages ReplayPages { get; }

    public bool TryAddReference()
    {
        lock (_membersLock)
        {
            if (_closed)
            {
                return false;
            }

            _references++;
            return true;
        }
    }

    /// <summary>Drops a reference; true when it was the last one and the feed is now closed.</summary>
    public bool ReleaseReference()
    {
        lock (_membersLock)
        {
            _closed = --_references == 0;
            return _closed;
        }
    }

    public Task EnsureStartedAsync()
    {
        lock (_membersLock)
        {
            return _started ??= StartAsync();
        }
    }

    /// <summary>Adds a connection; it receives every event after the returned seq of the returned epoch.</summary>
    public async Task<(long Seq, string? Epoch)> AttachAsync(SseConnection connection, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            lock (_membersLock)
            {
                _members = _members.Add(connection);
            }

            return (_cursor.Position, _cursor.Epoch);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Detach(SseConnection connection)
    {
        lock (_membersLock)
        {
            _members = _members.Remove(connection);
        }
    }

    /// <summary>
    /// True when the watchdog should check this feed: its room reported a change, the silos changed, or the room was
    /// ahead of the feed at the last check.
    /// </summary>
    public bool IsDue => _started is { IsCompletedSuccessfully: true }
        && (_reported || _askRoom || _subscription.IsBehind(_cursor.Position));

    /// <summary>Where the room stands, as its silo reported it.</summary>
    public void Report(RoomInfo room)
    {
        _lastReport = room;
        _reported = true;
    }

    /// <summary>The next check asks the room itself rather than trusting the last report.</summary>
    public void AskRoom() => _askRoom = true;

    /// <summary>
    /// The watchdog's check, against the room's last report (or the room itself): a lost subscription is renewed, and
    /// what it missed is filled from the room; a room on another log, or behind what the feed delivered, resets the
    /// feed's connections.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var info = _askRoom || _lastReport is not { } reported ? await _room.GetInfo() : reported;
        _lastReport = info;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_subscription.IsLost(_cursor.Position))
            {
                LogSubscriptionLost(_logger, _roomId, _cursor.Position, info.LastSeq);
                _metrics.Resubscribed();
                await _subscription.SubscribeAsync();
                await CatchUpAsync(info.LastSeq);
            }
            else if ((_cursor.Epoch is not null && info.Epoch != _cursor.Epoch) || info.LastSeq < _cursor.Position)
            {
                await CatchUpAsync(info.LastSeq);
            }

            _subscription.Checked(info.LastSeq, _cursor.Position);
        }
        finally
        {
            _gate.Release();
        }

        // Only a check that completed settles them; a failed one is retried next round.
        _reported = false;
        _askRoom = false;
    }

    public Task StopAsync()
    {
        _window.Dispose();
        return _subscription.StopAsync();
    }

    private async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // Subscribe before reading lastSeq: whatever is published later arrives, whatever is older is history.
            await _subscription.SubscribeAsync();
            var info = await _room.GetInfo();
            _cursor = new RoomCursor(_roomId, info.LastSeq, info.Epoch);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnNextAsync(RoomStreamEvent item)
    {
        await _gate.WaitAsync();
        try
        {
            switch (item)
            {
                case RoomEventBatch batch:
                    await DeliverAsync(batch);
                    break;
            }
        }
        catch (Exception exception)
        {
            // Nothing after the hole may be delivered before the hole is filled; the watchdog retries.
            LogCatchUpFailed(_logger, exception, _roomId, _cursor.Position);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DeliverAsync(RoomEventBatch batch)
    {
        var events = batch.Events;
        if (!_cursor.Continues(batch.Epoch, events[0].Seq))
        {
            // Under a new epoch, the catch-up resets the connections; otherwise it fills a hole.
            if (_cursor.Epoch == batch.Epoch)
            {
                _metrics.GapFilled();
            }

            await CatchUpAsync(events[0].Seq - 1);
        }

        if ((_cursor.Epoch ?? batch.Epoch) != batch.Epoch)
        {
            // Of a log the room has left (published late by its last activation): the room's history said otherwise.
            return;
        }

        // A stream may also bring what the feed already has (published just before it subscribed, or filled from
        // history meanwhile): only the rest is encoded and delivered, with what waits in the window as one frame.
        var unseen = events.Where(e => e.Seq > _cursor.Position).Select(e => _cache.Encode(batch.Epoch, e)).ToArray();
        foreach (var frame in unseen)
        {
            _cursor.Admit(frame);
        }

        if (unseen.Length > 0 && _window.Add(unseen) is { } now)
        {
            Deliver(now);
        }
    }

    private async Task DeliverWaitingAsync()
    {
        await _gate.WaitAsync();
        try
        {
            DeliverWaiting();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void DeliverWaiting()
    {
        if (_window.TakeWaiting() is { } frame)
        {
            Deliver(frame);
        }
    }

    /// <summary>Delivers the room's events after the feed's position, up to at least <paramref name="seq"/>.</summary>
    private async Task CatchUpAsync(long seq)
    {
        // What the window holds was admitted before anything the catch-up brings.
        DeliverWaiting();
        await foreach (var frames in _cursor.CatchUpAsync(_catchUpPages, seq, followNewEpoch: true))
        {
            foreach (var frame in frames)
            {
                if (frame is ResetFrame)
                {
                    _metrics.FeedReset();
                }

                Deliver(frame);
            }
        }
    }

    private void Deliver(SseFrame frame)
    {
        foreach (var member in _members)
        {
            member.EnqueueAndWrite(frame);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: stream delivered nothing since the last check, stuck at seq {DeliveredSeq} while the room had {RoomSeq}; resubscribing and catching up.")]
    private static partial void LogSubscriptionLost(ILogger logger, string roomId, long deliveredSeq, long roomSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: could not fill the seq gap after {DeliveredSeq}; holding later events until the next check.")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, string roomId, long deliveredSeq);
}
