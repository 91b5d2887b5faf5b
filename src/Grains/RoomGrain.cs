using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using OrleansChat.Telemetry;

namespace OrleansChat;

/// <summary>
/// A chat room: assigns seq numbers to its events (new messages, edits, deletions), makes them durable in the room
/// log, answers history from its in-memory window with messages as they now stand, and publishes every stored batch
/// on the room stream.
/// </summary>
/// <remarks>
/// Reentrant so that events arriving while an append is in flight queue up and go to the log together as the
/// next append: a hot room pays one round trip per batch, not per event. All state still changes only inside
/// single-threaded grain turns, and seqs are handed out in arrival order, so they stay gapless.
/// </remarks>
[Reentrant]
internal sealed partial class RoomGrain(
    IRoomLog log,
    IOptions<ChatHistoryOptions> options,
    [FromKeyedServices(RoomGrain.ClockKey)] TimeProvider time,
    HostedRooms hostedRooms,
    RoomStoreMetrics metrics,
    ILogger<RoomGrain> logger) : Grain, IRoomGrain
{
    /// <summary>The key of the clock events are stamped and aged by (as <see cref="UserStreamsGrain.ClockKey"/>).</summary>
    public const string ClockKey = "chat.rooms";

    private const int MaxAppendBatch = 256;

    private readonly int _maxMessages = options.Value.MaxMessages;
    private readonly TimeSpan _logCheckInterval = TimeSpan.FromSeconds(options.Value.LogCheckSeconds);
    private readonly List<PendingEvent> _unwritten = [];
    private readonly PendingChanges _pending = new();
    private string _roomId = "";
    private string _epoch = "";
    private RoomWindow _window = null!;
    private PostRetries _retries = null!;
    private RoomLogCheck _logCheck = null!;
    private RoomAgeLimit _ageLimit = null!;
    private RoomPublisher _publisher = null!;
    private bool _flushing;

    /// <summary>The log's epoch, or null while the log is empty (a new epoch is only a candidate until then).</summary>
    private string? StoredEpoch => _window.LastSeq == 0 ? null : _epoch;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _roomId = this.GetPrimaryKeyString();
        _ageLimit = new RoomAgeLimit(options.Value.MaxAge, time, log, _roomId, logger);
        var stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, _roomId));
        _publisher = new RoomPublisher(stream, hostedRooms, _roomId, logger);
        Serve(await LoadAsync(cancellationToken));
        _logCheck = new RoomLogCheck(log, _roomId, _maxMessages, _logCheckInterval, time, logger);
        // A room that sat idle past its age limit trims its log as it comes back, not only at its next append.
        await _ageLimit.TrimLogAsync();
    }

    /// <summary>Serves what the log holds.</summary>
    private void Serve(RoomLogSnapshot snapshot)
    {
        // An empty log gets its epoch with its first append, in the same store step; an existing one keeps its own.
        _epoch = snapshot.Epoch ?? RoomEpoch.New();
        _window = new RoomWindow(_maxMessages, snapshot.LastSeq, snapshot.Events);
        _retries = new PostRetries();
        foreach (var message in _window.Messages(_window.FirstSeq, _window.LastSeq, int.MaxValue, newest: false))
        {
            _retries.Remember(message);
        }

        _ageLimit.DropExpired(_window, _retries);
        _publisher.Standing(Info);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _publisher.Left();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The caller of a failed activation receives its exception, and a store's own (Redis) cannot cross to an API
    /// node: it would arrive as a serialization failure (a 500) instead of "the room cannot serve now" (a 503).
    /// </summary>
    private async Task<RoomLogSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await log.ReadRecentAsync(_roomId, _maxMessages, cancellationToken);
        }
        catch (Exception exception)
        {
            LogLoadFailed(exception, _roomId);
            throw new RoomUnavailableException($"Room '{_roomId}' could not load its history; retry.");
        }
    }

    public async Task<PostResult> Post(PostMessage post)
    {
        Expire();
        if (_retries.TryGet(post, out var knownSeq))
        {
            var original = knownSeq <= _window.LastSeq
                ? _window.Message(knownSeq) ?? throw new InvalidOperationException($"Message {knownSeq} is remembered but not retained.")
                : (await _unwritten[(int)(knownSeq - _window.LastSeq - 1)].Stored.Task).Message;
            return new PostResult(original, Created: false, _epoch);
        }

        var message = new ChatMessage(_roomId, NextSeq, post.UserId, post.Text, Now(), post.ClientMessageId, post.UserName);
        _retries.Remember(message);
        var stored = await StoreAsync(RoomEvent.Posted(message));
        return new PostResult(stored.Message, Created: true, _epoch);
    }

    public async Task<ChangeResult> Edit(EditMessage edit)
    {
        Expire();
        var current = Current(edit.Seq);
        if (current is null || current.DeletedAt is not null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, null);
        }

        if (current.UserId != edit.ActorId)
        {
            return new ChangeResult(ChangeOutcome.Forbidden, null);
        }

        return await ChangeAsync(RoomEventKind.Edit, current.EditedTo(edit.Text, Now()));
    }

    public async Task<ChangeResult> Delete(DeleteMessage delete)
    {
        Expire();
        var current = Current(delete.Seq);
        if (current is null)
        {
            return new ChangeResult(ChangeOutcome.NotFound, null);
        }

        if (current.UserId != delete.ActorId && !delete.Moderator)
        {
            return new ChangeResult(ChangeOutcome.Forbidden, null);
        }

        if (current.DeletedAt is not null)
        {
            return new ChangeResult(ChangeOutcome.Unchanged, current);
        }

        return await ChangeAsync(RoomEventKind.Delete, current.Tombstone(delete.ActorId, Now()));
    }

    public Task<HistoryPage> GetHistory(HistoryQuery query) =>
        ReadAsync(() => new HistoryPage(_roomId, _window.LastSeq, _window.FirstSeq, _window.Messages(query), StoredEpoch));

    public Task<EventPage> GetEvents(long after, int limit) =>
        ReadAsync(() => new EventPage(_window.LastSeq, _window.FirstSeq, StoredEpoch, _window.EventsAfter(after, limit)));

    public Task<RoomInfo> GetInfo() => ReadAsync(() => Info);

    private RoomInfo Info => new(_roomId, _window.LastSeq, _window.FirstSeq, StoredEpoch);

    /// <summary>
    /// Answers a read from memory, once the room has made sure its log holds what it serves, when that is due. Not while
    /// events are queued: their append finds a changed log itself.
    /// </summary>
    private Task<T> ReadAsync<T>(Func<T> answer)
    {
        Expire();
        return _logCheck.IsDue && _unwritten.Count == 0 ? CheckedReadAsync(answer) : Task.FromResult(answer());
    }

    private async Task<T> CheckedReadAsync<T>(Func<T> answer)
    {
        // What was read is the room's whole truth only if nothing was stored or queued meanwhile.
        var served = new RoomLogHead(_window.LastSeq, StoredEpoch);
        if (await _logCheck.ChangedSinceAsync(served) is { } snapshot
            && _unwritten.Count == 0 && served == new RoomLogHead(_window.LastSeq, StoredEpoch))
        {
            Serve(snapshot);
        }

        return answer();
    }

    private long NextSeq => _window.LastSeq + _unwritten.Count + 1;

    private ChatMessage? Current(long seq) => _pending.Current(seq, _window);

    private async Task<ChangeResult> ChangeAsync(RoomEventKind kind, ChatMessage changed)
    {
        _pending.Queue(changed);
        var stored = await StoreAsync(new RoomEvent(NextSeq, kind, changed.EditedAt ?? changed.DeletedAt ?? Now(), changed));
        return new ChangeResult(ChangeOutcome.Changed, stored.Message);
    }

    /// <summary>Queues the event under the next seq and waits until the log holds it.</summary>
    private Task<RoomEvent> StoreAsync(RoomEvent roomEvent)
    {
        var pending = new PendingEvent(roomEvent);
        _unwritten.Add(pending);
        if (!_flushing)
        {
            // Never throws: it settles every waiting event itself, whatever fails.
            _ = FlushAsync();
        }

        return pending.Stored.Task;
    }

    /// <summary>
    /// Appends what is queued, batch after batch, until nothing is. Whatever goes wrong on the way (the append, or
    /// anything after it) fails every post not yet acknowledged, so no caller is ever left waiting.
    /// </summary>
    private async Task FlushAsync()
    {
        _flushing = true;
        try
        {
            while (_unwritten.Count > 0)
            {
                await AppendNextBatchAsync();
            }
        }
        catch (Exception exception)
        {
            FailUnwritten(exception);
        }
        finally
        {
            _flushing = false;
        }
    }

    private async Task AppendNextBatchAsync()
    {
        var batch = _unwritten.Take(MaxAppendBatch).ToArray();
        var events = Array.ConvertAll(batch, static p => p.Event);
        var cutoff = _ageLimit.Cutoff();
        var storedUpTo = await metrics.MeasureAppendAsync(events.Length, () => log.AppendAsync(_roomId, _epoch, events, _maxMessages, cutoff));
        if (storedUpTo != events[^1].Seq)
        {
            throw new InvalidOperationException($"The log reports seq {storedUpTo} after storing {events[0].Seq}..{events[^1].Seq}.");
        }

        foreach (var roomEvent in events)
        {
            if (_window.Append(roomEvent) is { } evicted)
            {
                _retries.Forget(evicted);
            }

            _pending.Stored(roomEvent.Message);
        }

        if (cutoff is { } trimmedBefore)
        {
            // The log trimmed by age in the same step; the window follows by the same cutoff.
            _ageLimit.Trimmed(_window, _retries, trimmedBefore);
        }

        // Acknowledged before they leave the queue: a failure between the two fails none of them twice or never.
        foreach (var pending in batch)
        {
            pending.Stored.TrySetResult(pending.Event);
        }

        _unwritten.RemoveRange(0, batch.Length);
        await _publisher.PublishAsync(Info, _epoch, events);
    }

    private void Expire() => _ageLimit.Expire(_window, _retries, appending: _flushing);

    /// <summary>
    /// The log's state is unknown after a failed append (it may even hold the batch), so nothing queued can
    /// keep its seq: fail every waiting post and let a fresh activation reload the truth from the log.
    /// </summary>
    private void FailUnwritten(Exception exception)
    {
        var failed = _unwritten.ToArray();
        _unwritten.Clear();
        _pending.Clear();
        DeactivateOnIdle();
        // The cause stays in this silo's log: store exceptions need not be serializable to the caller.
        var error = new RoomUnavailableException($"Room '{_roomId}' could not store the change; retry.");
        foreach (var pending in failed)
        {
            if (pending.Event.Kind == RoomEventKind.Message)
            {
                _retries.Forget(pending.Event.Message);
            }

            pending.Stored.TrySetException(error);
        }

        LogAppendFailed(exception, _roomId, failed.Length);
    }

    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: loading the history failed; the activation fails.")]
    private partial void LogLoadFailed(Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: append failed; {Count} unacknowledged events failed, reactivating.")]
    private partial void LogAppendFailed(Exception exception, string roomId, int count);
}
