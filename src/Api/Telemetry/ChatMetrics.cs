using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Telemetry;

/// <summary>Why an event stream ended; a tag value of <c>chat.sse.streams.closed</c>.</summary>
public enum StreamCloseReason
{
    /// <summary>The client went away (or its connection broke).</summary>
    Client,

    /// <summary>The client read too slowly: its queue filled and the node dropped it.</summary>
    Slow,

    /// <summary>The node shut down and ended the stream cleanly.</summary>
    Shutdown,

    /// <summary>The client's token expired (<c>event: expired</c>).</summary>
    Expired,

    /// <summary>Ended by a per-user or per-address stream cap (reserved: caps refuse new streams today, counted as 429s).</summary>
    Cap,

    /// <summary>The cluster could not serve the stream's room.</summary>
    Unavailable,
}

/// <summary>How a resume ended its replay; a tag value of <c>chat.sse.resumes</c>.</summary>
public enum ResumeOutcome
{
    /// <summary>Everything after the resume point was still retained.</summary>
    Replayed,

    /// <summary>Part of it was trimmed: the client got an <c>event: gap</c>.</summary>
    Gap,

    /// <summary>The resume point was beyond the room: the client got an <c>event: reset</c>.</summary>
    Reset,
}

/// <summary>
/// The API node's side of the <c>OrleansChat</c> meter, one method per thing an operator counts. Each call is a
/// counter add or a histogram record (nothing when no meter provider listens); tags are fixed, small sets.
/// </summary>
public sealed class ChatMetrics
{
    private static readonly string[] CloseReasons = [.. Enum.GetValues<StreamCloseReason>().Select(Tag)];
    private static readonly string[] ResumeOutcomes = [.. Enum.GetValues<ResumeOutcome>().Select(Tag)];

    private readonly Meter _meter;
    private readonly Counter<long> _streamsOpened;
    private readonly Counter<long> _streamsClosed;
    private readonly Counter<long> _messagesPosted;
    private readonly Histogram<double> _postDuration;
    private readonly Counter<long> _eventsWritten;
    private readonly Histogram<double> _deliveryLag;
    private readonly Counter<long> _gapFills;
    private readonly Counter<long> _resubscribes;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _resumes;
    private readonly Counter<long> _rejections;

    public ChatMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(ChatTelemetry.Name);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets.Seconds };
        _streamsOpened = _meter.CreateCounter<long>("chat.sse.streams.opened", "{stream}", "Event streams opened.");
        _streamsClosed = _meter.CreateCounter<long>("chat.sse.streams.closed", "{stream}", "Event streams ended, by reason: client, slow, shutdown, expired, cap, unavailable.");
        _messagesPosted = _meter.CreateCounter<long>("chat.messages.posted", "{message}", "Posts answered with the stored message, by outcome: created (201) or retry (200).");
        _postDuration = _meter.CreateHistogram("chat.post.duration", "s", "Time from a valid post to its answer: the room's call, batching and durable append.", advice: seconds);
        _eventsWritten = _meter.CreateCounter<long>("chat.sse.events.written", "{event}", "SSE events (chat, gap, reset, keep-alive) written to clients, live and replayed.");
        _deliveryLag = _meter.CreateHistogram("chat.delivery.lag", "s", "From a message's createdAt to its live write to a client: the oldest message of a write, for one write in 8 of each connection.", advice: seconds);
        _gapFills = _meter.CreateCounter<long>("chat.feed.gap_fills", "{fill}", "Seq jumps in a room feed (lost stream events) filled from the room's history.");
        _resubscribes = _meter.CreateCounter<long>("chat.feed.resubscribes", "{resubscribe}", "Room feeds found silent while the room moved on, and subscribed again.");
        _resets = _meter.CreateCounter<long>("chat.feed.resets", "{reset}", "Room feeds that found the room behind what they had delivered and sent a live reset.");
        _resumes = _meter.CreateCounter<long>("chat.sse.resumes", "{resume}", "Streams opened with a resume point, by outcome: replayed, gap, reset.");
        _rejections = _meter.CreateCounter<long>("chat.rejections", "{request}", "Requests refused for a limit or access, by status (401, 403, 429, 503) and reason.");
    }

    /// <summary>Reports the node's open event streams (<c>chat.sse.streams.open</c>) from <paramref name="count"/>.</summary>
    public void ObserveOpenStreams(Func<int> count) =>
        _meter.CreateObservableUpDownCounter<long>("chat.sse.streams.open", () => count(), "{stream}", "Event streams open on this node.");

    /// <summary>Reports the node's room feeds (<c>chat.feeds.active</c>) from <paramref name="count"/>.</summary>
    public void ObserveActiveFeeds(Func<int> count) =>
        _meter.CreateObservableUpDownCounter<long>("chat.feeds.active", () => count(), "{feed}", "Rooms with a live feed on this node: one stream subscription each.");

    public void StreamOpened() => _streamsOpened.Add(1);

    public void StreamClosed(StreamCloseReason reason) =>
        _streamsClosed.Add(1, new KeyValuePair<string, object?>("reason", CloseReasons[(int)reason]));

    public void Posted(bool created, long startTimestamp)
    {
        _postDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        _messagesPosted.Add(1, new KeyValuePair<string, object?>("outcome", created ? "created" : "retry"));
    }

    /// <summary>
    /// One write to a client: <paramref name="events"/> events, the oldest chat message among them created at
    /// <paramref name="oldestCreatedAt"/> (null for a write of replayed history or without chat events).
    /// </summary>
    public void Written(int events, DateTimeOffset? oldestCreatedAt)
    {
        if (events > 0)
        {
            _eventsWritten.Add(events);
        }

        if (oldestCreatedAt is { } createdAt)
        {
            _deliveryLag.Record(Math.Max(0, (DateTimeOffset.UtcNow - createdAt).TotalSeconds));
        }
    }

    public void GapFilled() => _gapFills.Add(1);

    public void Resubscribed() => _resubscribes.Add(1);

    public void FeedReset() => _resets.Add(1);

    public void Resumed(ResumeOutcome outcome) =>
        _resumes.Add(1, new KeyValuePair<string, object?>("outcome", ResumeOutcomes[(int)outcome]));

    /// <summary>A request refused with <paramref name="status"/> for <paramref name="reason"/>, one of <see cref="RejectionReasons"/>.</summary>
    public void Rejected(int status, string reason) =>
        _rejections.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("reason", reason));

    private static string Tag<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>The <c>reason</c> tags of <c>chat.rejections</c>: a fixed set, so the series stay few.</summary>
public static class RejectionReasons
{
    /// <summary>429: a client address over the post rate limit.</summary>
    public const string PostRate = "post_rate";

    /// <summary>503: the node holds its maximum of event streams.</summary>
    public const string StreamCap = "stream_cap";

    /// <summary>503: the node is shutting down and takes no new stream.</summary>
    public const string ShuttingDown = "shutting_down";

    /// <summary>429: a user holds the most event streams allowed across the cluster.</summary>
    public const string UserStreams = "user_streams";

    /// <summary>429: an address holds the most anonymous event streams allowed on this node.</summary>
    public const string AddressStreams = "address_streams";

    /// <summary>401: a request that needs a token came without one.</summary>
    public const string TokenMissing = "token_missing";

    /// <summary>401: the token sent is not valid (expired, wrong signature, issuer, audience, …).</summary>
    public const string TokenInvalid = "token_invalid";

    /// <summary>403: the token does not grant the request (a room right, the dashboard's chat_admin claim).</summary>
    public const string Forbidden = "forbidden";
}
