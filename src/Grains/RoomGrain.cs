using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;
using OrleansChat.Telemetry;

namespace OrleansChat;

/// <summary>
/// A chat room: assigns seq numbers, makes messages durable in the room log, answers history from its in-memory
/// window and publishes every stored batch on the room stream.
/// </summary>
/// <remarks>
/// Reentrant so that posts arriving while an append is in flight queue up and go to the log together as the
/// next append: a hot room pays one round trip per batch, not per message. All state still changes only inside
/// single-threaded grain turns, and seqs are handed out in arrival order, so they stay gapless.
/// </remarks>
[Reentrant]
internal sealed partial class RoomGrain(
    IRoomLog log,
    IOptions<ChatHistoryOptions> options,
    [FromKeyedServices(RoomGrain.ClockKey)] TimeProvider time,
    RoomStoreMetrics metrics,
    ILogger<RoomGrain> logger) : Grain, IRoomGrain
{
    private const int MaxAppendBatch = 256;

    /// <summary>
    /// The key of the clock messages are stamped and aged by. Unregistered, Orleans resolves it to the default clock;
    /// a test registers a fake one under it without changing the runtime's own timers.
    /// </summary>
    public const string ClockKey = "chat.rooms";

    private readonly int _maxMessages = options.Value.MaxMessages;
    private readonly TimeSpan? _maxAge = options.Value.MaxAge;
    private readonly Dictionary<(string UserId, string ClientMessageId), long> _seqByClientId = [];
    private readonly List<PendingPost> _unwritten = [];
    private string _roomId = "";
    private RoomWindow _window = null!;
    private IAsyncStream<RoomStreamEvent> _stream = null!;
    private bool _flushing;
    private bool _logHoldsExpired;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _roomId = this.GetPrimaryKeyString();
        var snapshot = await LoadAsync(cancellationToken);
        _window = new RoomWindow(_maxMessages, snapshot.LastSeq, snapshot.Messages);
        foreach (var message in _window.All())
        {
            Remember(message);
        }

        await TrimExpiredAsync();
        _stream = this.GetStreamProvider(ChatStreams.ProviderName).GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, _roomId));
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
        DropExpired();
        if (post.ClientMessageId is { } clientMessageId
            && _seqByClientId.TryGetValue((post.UserId, clientMessageId), out var knownSeq))
        {
            var original = knownSeq <= _window.LastSeq
                ? _window.Get(knownSeq)
                : await _unwritten[(int)(knownSeq - _window.LastSeq - 1)].Stored.Task;
            return new PostResult(original, Created: false);
        }

        var seq = _window.LastSeq + _unwritten.Count + 1;
        var pending = new PendingPost(new ChatMessage(_roomId, seq, post.UserId, post.Text, Now(), post.ClientMessageId, post.UserName));
        _unwritten.Add(pending);
        Remember(pending.Message);
        if (!_flushing)
        {
            // Never throws: it settles every waiting post itself, whatever fails.
            _ = FlushAsync();
        }

        return new PostResult(await pending.Stored.Task, Created: true);
    }

    public Task<HistoryPage> GetHistory(HistoryQuery query)
    {
        var last = _window.LastSeq;
        var limit = Math.Max(query.Limit, 0);

        // Clamping first keeps the arithmetic below clear of overflow for any seq a client can send, and lets a page
        // after a seq below the retained history hold the oldest retained messages rather than an empty range.
        var (from, to) = (Clamp(query.After, _window.FirstSeq - 1), Clamp(query.Before, 0)) switch
        {
            (null, null) => (last - limit + 1, last),
            (long after, null) => (after + 1, after + limit),
            (null, long before) => (before - limit, before - 1),
            (long after, long before) => (after + 1, Math.Min(before - 1, after + limit)),
        };

        DropExpired();
        return Task.FromResult(new HistoryPage(_roomId, last, _window.FirstSeq, _window.Range(from, to)));

        long? Clamp(long? seq, long min) => seq is { } value ? Math.Clamp(value, min, last + 1) : null;
    }

    public Task<RoomInfo> GetInfo()
    {
        DropExpired();
        return Task.FromResult(new RoomInfo(_roomId, _window.LastSeq, _window.FirstSeq));
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
        var messages = Array.ConvertAll(batch, static p => p.Message);
        var storedUpTo = await AppendAsync(messages);
        if (storedUpTo != messages[^1].Seq)
        {
            throw new InvalidOperationException($"The log reports seq {storedUpTo} after storing {messages[0].Seq}..{messages[^1].Seq}.");
        }

        foreach (var message in messages)
        {
            if (_window.Append(message) is { } evicted)
            {
                Forget(evicted);
            }
        }

        // Acknowledged before they leave the queue: a failure between the two fails none of them twice or never.
        foreach (var pending in batch)
        {
            pending.Stored.TrySetResult(pending.Message);
        }

        _unwritten.RemoveRange(0, batch.Length);
        await PublishAsync(messages);
        await TrimExpiredAsync();
    }

    /// <summary>
    /// Drops messages older than <see cref="ChatHistoryOptions.MaxAge"/> from memory, so that no answer shows them
    /// (nor dedupes against them); the log follows on the next append or activation.
    /// </summary>
    private void DropExpired()
    {
        if (_maxAge is not { } maxAge)
        {
            return;
        }

        var cutoff = time.GetUtcNow() - maxAge;
        var dropped = _window.DropOldestWhile(message => message.CreatedAt < cutoff);
        foreach (var message in dropped)
        {
            Forget(message);
        }

        _logHoldsExpired |= dropped.Count > 0;
    }

    /// <summary>
    /// Trims the log to what memory keeps. One that fails is retried with the next append: the messages are out of
    /// every answer already.
    /// </summary>
    private async Task TrimExpiredAsync()
    {
        DropExpired();
        if (!_logHoldsExpired)
        {
            return;
        }

        var firstKept = _window.FirstSeq;
        try
        {
            await log.TrimBelowAsync(_roomId, firstKept);
            // More may have expired while the trim was under way.
            _logHoldsExpired = _window.FirstSeq != firstKept;
        }
        catch (Exception exception)
        {
            LogTrimFailed(exception, _roomId, firstKept);
        }
    }

    private async Task<long> AppendAsync(ChatMessage[] messages)
    {
        // The span of the post whose arrival started this flush is the parent; later batches of the loop share it.
        using var activity = ChatTelemetry.Source.StartActivity("chat.store.append");
        activity?.SetTag("chat.append.messages", messages.Length);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var storedUpTo = await log.AppendAsync(_roomId, messages, _maxMessages);
            metrics.Appended(started, failed: false);
            return storedUpTo;
        }
        catch (Exception exception)
        {
            metrics.Appended(started, failed: true);
            activity?.AddException(exception).SetStatus(ActivityStatusCode.Error);
            throw;
        }
    }

    /// <summary>
    /// The log's state is unknown after a failed append (it may even hold the batch), so nothing queued can
    /// keep its seq: fail every waiting post and let a fresh activation reload the truth from the log.
    /// </summary>
    private void FailUnwritten(Exception exception)
    {
        var failed = _unwritten.ToArray();
        _unwritten.Clear();
        DeactivateOnIdle();
        // The cause stays in this silo's log: store exceptions need not be serializable to the caller.
        var error = new RoomUnavailableException($"Room '{_roomId}' could not store the message; retry.");
        foreach (var pending in failed)
        {
            Forget(pending.Message);
            pending.Stored.TrySetException(error);
        }

        LogAppendFailed(exception, _roomId, failed.Length);
    }

    /// <summary>
    /// A lost publication is not fatal: the message is durable, and API nodes fill seq gaps from the room.
    /// </summary>
    private async Task PublishAsync(ChatMessage[] messages)
    {
        try
        {
            await _stream.OnNextAsync(new MessageBatch(messages));
        }
        catch (Exception exception)
        {
            LogPublishFailed(exception, _roomId, messages[0].Seq, messages[^1].Seq);
        }
    }

    private void Remember(ChatMessage message)
    {
        if (message.ClientMessageId is { } clientMessageId)
        {
            _seqByClientId[(message.UserId, clientMessageId)] = message.Seq;
        }
    }

    private void Forget(ChatMessage message)
    {
        if (message.ClientMessageId is { } clientMessageId
            && _seqByClientId.TryGetValue((message.UserId, clientMessageId), out var seq)
            && seq == message.Seq)
        {
            _seqByClientId.Remove((message.UserId, clientMessageId));
        }
    }

    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: append failed; {Count} unacknowledged posts failed, reactivating.")]
    private partial void LogAppendFailed(Exception exception, string roomId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Room {RoomId}: loading the history failed; the activation fails.")]
    private partial void LogLoadFailed(Exception exception, string roomId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: trimming the log below seq {FirstKeptSeq} failed; the next trim retries.")]
    private partial void LogTrimFailed(Exception exception, string roomId, long firstKeptSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: publishing seq {FromSeq}..{ToSeq} failed; API nodes will backfill.")]
    private partial void LogPublishFailed(Exception exception, string roomId, long fromSeq, long toSeq);

    private sealed class PendingPost(ChatMessage message)
    {
        public ChatMessage Message { get; } = message;

        public TaskCompletionSource<ChatMessage> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
