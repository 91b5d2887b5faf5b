using System.Collections.Immutable;
using Orleans.Streams;
using OrleansChat.Api.Events;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Presence;

/// <summary>
/// This node's one subscription to a room's presence stream, shared by its <c>?presence=true</c> streams of the
/// room. It keeps the room's presence up to date locally, so a stream that opens gets its <c>presence</c> event
/// without a grain call, and it encodes each change once for all of them.
/// </summary>
/// <remarks>
/// Changes are numbered: one that does not follow the last (a lost stream event, a new grain activation) makes the
/// feed read the whole presence again and send it to its streams as a new <c>presence</c> event.
/// </remarks>
internal sealed partial class PresenceFeed(string roomId, IClusterClient client, PresenceMetrics metrics, ILogger logger)
{
    private readonly IPresenceGrain _grain = client.GetGrain<IPresenceGrain>(roomId);
    private readonly IAsyncStream<PresenceStreamEvent> _stream = client.GetStreamProvider(ChatStreams.ProviderName)
        .GetStream<PresenceStreamEvent>(StreamId.Create(ChatStreams.PresenceNamespace, roomId));

    private const long KnownWindow = 1_000_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, PresenceMember> _members = [];
    private readonly List<PresenceStreamEvent> _early = [];
    private ImmutableArray<SseConnection> _connections = [];
    private StreamSubscriptionHandle<PresenceStreamEvent>? _subscription;
    private PresenceFrame? _snapshot;
    private int _count;
    private int _anonymous;
    private long _version;
    private long? _awaited;
    private (long After, long Upto) _overtaken;
    private readonly HashSet<long> _announced = [];
    private bool _ready;
    private int _refreshing;
    private Task? _started;

    public string RoomId => roomId;

    public int References { get; set; }

    public Task EnsureStartedAsync()
    {
        lock (_lock)
        {
            return _started ??= StartAsync();
        }
    }

    /// <summary>Adds a stream: it gets the room's presence now, then every change.</summary>
    public void Attach(SseConnection connection)
    {
        lock (_lock)
        {
            connection.Enqueue(_snapshot ??= PresenceFrame.Snapshot(Snapshot()));
            _connections = _connections.Add(connection);
        }
    }

    public void Detach(SseConnection connection)
    {
        lock (_lock)
        {
            _connections = _connections.Remove(connection);
        }
    }

    /// <summary>
    /// The watchdog's check. It reads the grain directly, while the grain's changes reach the feed later, through the
    /// stream: a version the feed has not reached may just be on its way, and a refresh then would be for nothing (a
    /// new subscription, and a <c>presence</c> event on every stream). The feed is behind only when it still has not
    /// reached the version the previous check read; then something was lost, and the subscription is renewed in case
    /// it is what died.
    /// </summary>
    public async Task CheckAsync()
    {
        var view = await _grain.GetPresence();
        bool behind;
        lock (_lock)
        {
            behind = _awaited is { } awaited && !IsKnown(awaited);
            _awaited = IsKnown(view.Version) ? null : view.Version;
        }

        if (behind)
        {
            await SubscribeAsync();
            Refreshed(await _grain.GetPresence());
        }
    }

    public async Task StopAsync()
    {
        if (_subscription is { } handle)
        {
            await UnsubscribeAsync(handle);
        }
    }

    private async Task StartAsync()
    {
        // Subscribe before reading: every change after the read arrives, and the ones before it are in it.
        await SubscribeAsync();
        var view = await _grain.GetPresence();
        lock (_lock)
        {
            Load(view);
            _ready = true;
            foreach (var item in _early)
            {
                Handle(item);
            }

            _early.Clear();
        }
    }

    private async Task SubscribeAsync()
    {
        var old = _subscription;
        _subscription = await _stream.SubscribeAsync((item, _) =>
        {
            lock (_lock)
            {
                if (_ready)
                {
                    Handle(item);
                }
                else
                {
                    _early.Add(item);
                }
            }

            return Task.CompletedTask;
        });
        if (old is not null)
        {
            await UnsubscribeAsync(old);
        }
    }

    private void Handle(PresenceStreamEvent item)
    {
        switch (item)
        {
            case PresenceChanges changes when IsKnown(changes.Version):
                // Already in the presence read at the start or at a refresh. One that a refresh read before it
                // arrived still owes the pages its joins and leaves.
                if (changes.Version > _overtaken.After && changes.Version <= _overtaken.Upto && _announced.Add(changes.Version))
                {
                    Announce(changes);
                }

                break;
            case PresenceChanges changes:
                if (changes.Version != _version + 1)
                {
                    _ = RefreshAsync();
                }

                Apply(changes);
                break;
            case UserTyping typing:
                metrics.Delivered("typing", 1);
                Deliver(PresenceFrame.Typing(roomId, typing.User));
                break;
        }
    }

    private void Apply(PresenceChanges changes)
    {
        foreach (var joined in changes.Joined)
        {
            _members[joined.UserId] = joined;
        }

        foreach (var left in changes.Left)
        {
            _members.Remove(left.UserId);
        }

        (_count, _anonymous, _version) = (changes.Count, changes.Anonymous, changes.Version);
        _snapshot = null;
        Announce(changes);
    }

    private void Announce(PresenceChanges changes)
    {
        if (changes.Joined.Count + changes.Left.Count > 0)
        {
            metrics.Delivered("join", changes.Joined.Count);
            metrics.Delivered("leave", changes.Left.Count);
            Deliver(PresenceFrame.Changes(roomId, changes.Joined, changes.Left));
        }
    }

    private async Task RefreshAsync()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            Refreshed(await _grain.GetPresence());
        }
        catch (Exception exception)
        {
            // The watchdog's next check tries again.
            LogRefreshFailed(logger, exception, roomId);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private void Refreshed(PresenceView view)
    {
        lock (_lock)
        {
            if (IsKnown(view.Version) && view.Version != _version)
            {
                // Changes after it have arrived meanwhile; the feed is ahead of this read.
                return;
            }

            // The changes up to this read that have not arrived yet are in flight (or lost): when they arrive, the
            // state has them already, but their notices still go out. Versions of another activation than the
            // feed's are all unseen.
            var sameActivation = view.Version >= _version && view.Version - _version < KnownWindow;
            _overtaken = (sameActivation ? _version : view.Version - KnownWindow, view.Version);
            _announced.Clear();
            Load(view);
            metrics.Delivered("presence", 1);
            Deliver(_snapshot = PresenceFrame.Snapshot(view.Presence));
        }
    }

    /// <summary>
    /// True for a version this feed has already passed. Activations start their versions at random points far
    /// apart, so a version a little below the feed's is an old change of the same activation, not a new one.
    /// </summary>
    private bool IsKnown(long version) => version <= _version && _version - version < KnownWindow;

    private void Load(PresenceView view)
    {
        _members.Clear();
        foreach (var member in view.Presence.Members)
        {
            _members[member.UserId] = member;
        }

        (_count, _anonymous, _version) = (view.Presence.Count, view.Presence.Anonymous, view.Version);
        _awaited = null;
        _snapshot = null;
    }

    private RoomPresence Snapshot() => new(
        roomId,
        _count,
        _anonymous,
        [.. _members.Values.OrderBy(m => m.Since).ThenBy(m => m.UserId, StringComparer.Ordinal).Take(RoomPresence.MaxMembers)]);

    private void Deliver(PresenceFrame frame)
    {
        foreach (var connection in _connections)
        {
            connection.Enqueue(frame);
        }
    }

    private async Task UnsubscribeAsync(StreamSubscriptionHandle<PresenceStreamEvent> handle)
    {
        try
        {
            await handle.UnsubscribeAsync();
        }
        catch (Exception exception)
        {
            LogUnsubscribeFailed(logger, exception, roomId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: could not read presence after a missed change; the next check tries again.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Room {RoomId}: unsubscribing from presence failed.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string roomId);
}
