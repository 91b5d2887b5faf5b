using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orleans.Streams;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// This node's one subscription to a room's stream, shared by all of the node's connections to the room.
/// Delivers every message exactly once and in seq order: duplicates are dropped, and a seq jump (a lost stream
/// event) is filled from the room grain before anything later is delivered.
/// </summary>
internal sealed partial class RoomFeed(string roomId, IClusterClient client, ILogger logger)
{
    /// <summary>How many recent chat frames the feed keeps encoded for replays (a slot per seq modulo this).</summary>
    public const int RecentFrames = 1024;

    private readonly IRoomGrain _room = client.GetGrain<IRoomGrain>(roomId);
    private readonly IAsyncStream<MessageBatch> _stream = client
        .GetStreamProvider(ChatStreams.ProviderName)
        .GetStream<MessageBatch>(StreamId.Create(ChatStreams.RoomNamespace, roomId));

    // Serializes delivery, catch-up and joins, so every connection sees one order and joins at a known seq.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _membersLock = new();
    private ImmutableArray<SseConnection> _members = [];

    // Recently encoded chat frames by seq: live delivery and every replay on this node share one encoding per
    // message, so a herd of clients resuming the same backlog does not encode it once per client.
    private readonly SseFrame?[] _recent = new SseFrame?[RecentFrames];

    // History pages being read for replays, by their "after" seq: a herd resuming one backlog shares each read.
    private readonly ConcurrentDictionary<long, Task<HistoryPage>> _pageReads = new();
    private StreamSubscriptionHandle<MessageBatch>? _subscription;
    private long _deliveredSeq;
    private long _expectedSeq;
    private long _deliveredAtLastCheck;
    private int _references;
    private bool _closed;
    private Task? _started;

    public string RoomId => roomId;

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

    /// <summary>Adds a connection; it receives every message after the returned seq.</summary>
    public async Task<long> AttachAsync(SseConnection connection, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            lock (_membersLock)
            {
                _members = _members.Add(connection);
            }

            return _deliveredSeq;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The message's chat frame, encoded once per node while it stays among the recent frames.</summary>
    public SseFrame ChatFrame(ChatMessage message)
    {
        var frame = CachedChatFrame(message.Seq);
        // Compared by value, not only by seq: after a room reset a seq can name a different message.
        if (frame is null || !Equals(frame.Message, message))
        {
            frame = SseFrame.Chat(message);
            Volatile.Write(ref _recent[(int)(message.Seq % RecentFrames)], frame);
        }

        return frame;
    }

    /// <summary>The chat frame of <paramref name="seq"/> if this node encoded it recently, else null.</summary>
    public SseFrame? CachedChatFrame(long seq)
    {
        var frame = Volatile.Read(ref _recent[(int)(seq % RecentFrames)]);
        return frame?.Seq == seq ? frame : null;
    }

    /// <summary>The room's history page after <paramref name="after"/>; concurrent readers of one page share one call.</summary>
    public Task<HistoryPage> ReadPageAsync(long after)
    {
        while (true)
        {
            if (_pageReads.TryGetValue(after, out var pending))
            {
                return pending;
            }

            var read = new TaskCompletionSource<HistoryPage>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_pageReads.TryAdd(after, read.Task))
            {
                _ = ReadPageIntoAsync(after, read);
                return read.Task;
            }
        }
    }

    public Task<RoomInfo> ReadInfoAsync() => _room.GetInfo();

    public void Detach(SseConnection connection)
    {
        lock (_membersLock)
        {
            _members = _members.Remove(connection);
        }
    }

    /// <summary>
    /// The watchdog: a seq that the room already had at the previous check, still missing, with nothing at all
    /// delivered since, means the subscription is lost (silo crash, lost pub-sub state, an idle stream dropped):
    /// catch up from the room and subscribe again. A stream that lags but still delivers is alive; resubscribing
    /// it would only add work to a node that is already behind.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var info = await _room.GetInfo();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_expectedSeq > _deliveredSeq && _deliveredSeq == _deliveredAtLastCheck)
            {
                LogSubscriptionLost(logger, roomId, _deliveredSeq, _expectedSeq);
                await ResubscribeAsync();
                await CatchUpAsync(info.LastSeq);
            }

            _expectedSeq = info.LastSeq;
            _deliveredAtLastCheck = _deliveredSeq;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync()
    {
        if (_subscription is { } subscription)
        {
            try
            {
                await subscription.UnsubscribeAsync();
            }
            catch (Exception exception)
            {
                LogUnsubscribeFailed(logger, exception, roomId);
            }
        }
    }

    private async Task ReadPageIntoAsync(long after, TaskCompletionSource<HistoryPage> read)
    {
        try
        {
            read.SetResult(await _room.GetHistory(new HistoryQuery(after, null, RoomsApi.MaxPageSize)));
        }
        catch (Exception exception)
        {
            read.SetException(exception);
        }
        finally
        {
            _pageReads.TryRemove(new KeyValuePair<long, Task<HistoryPage>>(after, read.Task));
        }
    }

    private async Task StartAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // Subscribe before reading lastSeq: whatever is published later arrives, whatever is older is history.
            _subscription = await _stream.SubscribeAsync(OnNextAsync);
            _deliveredSeq = (await _room.GetInfo()).LastSeq;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ResubscribeAsync()
    {
        var old = _subscription;
        _subscription = await _stream.SubscribeAsync(OnNextAsync);
        if (old is not null)
        {
            try
            {
                await old.UnsubscribeAsync();
            }
            catch (Exception exception)
            {
                LogUnsubscribeFailed(logger, exception, roomId);
            }
        }
    }

    private async Task OnNextAsync(MessageBatch batch, StreamSequenceToken? token)
    {
        await _gate.WaitAsync();
        try
        {
            var first = batch.Messages[0].Seq;
            if (first > _deliveredSeq + 1)
            {
                await CatchUpAsync(first - 1);
            }

            // The batch's new messages go to each connection as one frame: one queue entry and one write each.
            List<SseFrame>? frames = null;
            var next = _deliveredSeq + 1;
            foreach (var message in batch.Messages)
            {
                if (message.Seq == next)
                {
                    (frames ??= new List<SseFrame>(batch.Messages.Count)).Add(ChatFrame(message));
                    next++;
                }
            }

            if (frames is not null)
            {
                Deliver(SseFrame.Concat(frames));
            }
        }
        catch (Exception exception)
        {
            // Nothing after the hole may be written before the hole is filled; the watchdog retries.
            LogCatchUpFailed(logger, exception, roomId, _deliveredSeq);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Delivers the room's messages after the last one delivered, up to at least <paramref name="seq"/>.</summary>
    private async Task CatchUpAsync(long seq)
    {
        while (_deliveredSeq < seq)
        {
            var before = _deliveredSeq;
            var page = await _room.GetHistory(new HistoryQuery(_deliveredSeq, null, RoomsApi.MaxPageSize));
            if (page.FirstRetainedSeq - 1 > _deliveredSeq)
            {
                // Trimmed before this node could fetch it: tell the clients, as a resume would. The page itself may
                // be empty (the node is more than a page behind), so the next round reads from the gap's end.
                Deliver(SseFrame.Gap(roomId, _deliveredSeq + 1, page.FirstRetainedSeq - 1), page.FirstRetainedSeq - 1);
            }

            foreach (var message in page.Messages)
            {
                if (message.Seq > _deliveredSeq)
                {
                    Deliver(ChatFrame(message));
                }
            }

            if (_deliveredSeq == before)
            {
                return;
            }
        }
    }

    private void Deliver(SseFrame frame, long? seq = null)
    {
        _deliveredSeq = seq ?? frame.Seq;
        foreach (var member in _members)
        {
            member.Enqueue(frame);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: stream delivered nothing since the last check, stuck at seq {DeliveredSeq} while the room had {ExpectedSeq}; resubscribing and catching up.")]
    private static partial void LogSubscriptionLost(ILogger logger, string roomId, long deliveredSeq, long expectedSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: could not fill the seq gap after {DeliveredSeq}; holding later messages until the next check.")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, string roomId, long deliveredSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Room {RoomId}: unsubscribing failed.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string roomId);
}
