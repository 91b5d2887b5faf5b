using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace OrleansChat.Bench;

/// <summary>
/// The posts of a run: <c>POST /rooms/{roomId}/messages</c>, post k to room k mod rooms, as user <c>bench-p</c>
/// (p = k mod posters, with <c>tokens[p]</c> as its bearer token when there are tokens).
/// </summary>
/// <remarks>
/// With a rate the posts are <b>open-loop</b>: post k is sent when it is due (k/rate seconds after the start) whether or
/// not earlier posts were answered, so a slow server cannot slow the offered load down (no coordinated omission), and
/// every latency counts from when the post was due, not from when it went out. Without a rate, a fixed number of
/// posters post back to back (closed-loop: a throughput test, latency from the send). The text starts with the due
/// stopwatch timestamp (19 digits) so a subscriber in this process measures post→delivery on one clock.
/// </remarks>
internal sealed class Posters(HttpClient http, IReadOnlyList<Uri> urls, string[] roomIds, int messageSize, string[]? tokens = null)
{
    public static string UserId(int poster) => $"bench-{poster}";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly long[] _acked = new long[roomIds.Length];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _attempted;
    private long _failed;
    private long _firstAckTicks = long.MaxValue;
    private long _lastAckTicks;

    /// <summary>Post → <c>201</c>, from when the post was due.</summary>
    public LatencySplit AckLatency { get; } = new();

    /// <summary>Open-loop only: how late the generator itself sent each post (its own lag, not the server's).</summary>
    public Histogram SendLag { get; } = new();

    public long Attempted => Interlocked.Read(ref _attempted);

    public long Failed => Interlocked.Read(ref _failed);

    public long AckedTotal => Enumerable.Range(0, _acked.Length).Sum(Acked);

    public long Acked(int room) => Interlocked.Read(ref _acked[room]);

    /// <summary>Called with every acknowledged post while set: the edits mix plans its changes from them.</summary>
    public Action<AckedPost>? OnAcked { get; set; }

    public IReadOnlyList<string> Errors => [.. _errors.OrderByDescending(e => e.Value).Take(5).Select(e => $"{e.Key} ×{e.Value}")];

    /// <summary>
    /// Acknowledged posts per second of the last <see cref="RunAsync"/> with latency recorded: acks ÷ (last ack − first
    /// ack + one post interval). A server that keeps up answers at the offered rate, however long each answer takes;
    /// one that falls behind answers later and later, which stretches the span.
    /// </summary>
    public double AchievedPerSecond(long acked, double rate)
    {
        var first = Interlocked.Read(ref _firstAckTicks);
        var last = Interlocked.Read(ref _lastAckTicks);
        if (acked == 0 || last < first)
        {
            return 0;
        }

        var span = (double)(last - first) / Stopwatch.Frequency + (rate > 0 ? 1 / rate : 0);
        return span > 0 ? acked / span : 0;
    }

    /// <summary>
    /// Posts until <paramref name="endTicks"/> or <paramref name="count"/> posts, whichever is first: with a rate open-loop
    /// (post k due at <paramref name="start"/> + k/rate), without one by <paramref name="posters"/> back to back.
    /// Returns when every post sent has been answered.
    /// </summary>
    public Task RunAsync(int posters, double rate, long start, long endTicks, long count, bool recordLatency, CancellationToken cancellationToken) =>
        rate > 0
            ? OpenLoopAsync(posters, rate, start, endTicks, count, recordLatency, cancellationToken)
            : BackToBackAsync(posters, endTicks, count, recordLatency, cancellationToken);

    private async Task OpenLoopAsync(int posters, double rate, long start, long endTicks, long count, bool recordLatency, CancellationToken cancellationToken)
    {
        var ticksPerPost = Stopwatch.Frequency / rate;
        var pending = new List<Task>();
        for (long k = 0; k < count && !cancellationToken.IsCancellationRequested; k++)
        {
            var due = start + (long)(k * ticksPerPost);
            if (due >= endTicks)
            {
                break;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait >= TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            if (recordLatency)
            {
                SendLag.RecordTicks(Math.Max(0, Stopwatch.GetTimestamp() - due));
            }

            pending.Add(PostAsync(k, (int)(k % posters), due, recordLatency, cancellationToken));
        }

        await Task.WhenAll(pending);
    }

    private Task BackToBackAsync(int posters, long endTicks, long count, bool recordLatency, CancellationToken cancellationToken)
    {
        long next = -1;
        return Task.WhenAll(Enumerable.Range(0, posters).Select(poster => Task.Run(() => PostLoopAsync(poster), cancellationToken)));

        async Task PostLoopAsync(int poster)
        {
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < endTicks)
            {
                var k = Interlocked.Increment(ref next);
                if (k >= count)
                {
                    return;
                }

                await PostAsync(k, poster, Stopwatch.GetTimestamp(), recordLatency, cancellationToken);
            }
        }
    }

    /// <summary>Sends post k, due at <paramref name="due"/>; counts its ack per room or its failure.</summary>
    private async Task PostAsync(long k, int poster, long due, bool recordLatency, CancellationToken cancellationToken)
    {
        var room = (int)(k % roomIds.Length);
        var body = MessageBody.Json(UserId(poster), due, "", messageSize);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(urls[(int)(k % urls.Count)], $"/rooms/{roomIds[room]}/messages"))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = tokens is null ? null : new AuthenticationHeaderValue("Bearer", tokens[poster]);
        Interlocked.Increment(ref _attempted);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                Fail($"HTTP {(int)response.StatusCode}");
                return;
            }

            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _acked[room]);
            if (recordLatency)
            {
                AckLatency.Record(due, now);
                InterlockedMin(ref _firstAckTicks, now);
                InterlockedMax(ref _lastAckTicks, now);
            }

            if (OnAcked is { } onAcked && SeqOf(response.Headers.Location) is > 0 and var seq)
            {
                onAcked(new AckedPost(k, room, poster, seq, due, MessageStates.HashText(MessageBody.Text(body, messageSize))));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Fail(exception.GetBaseException().Message);
        }
    }

    /// <summary>The seq at the end of a <c>201</c>'s <c>Location: /rooms/{roomId}/messages/{seq}</c>, or 0.</summary>
    private static long SeqOf(Uri? location)
    {
        var path = location?.OriginalString ?? "";
        return long.TryParse(path.AsSpan(path.LastIndexOf('/') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : 0;
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);
    }

    private static void InterlockedMin(ref long location, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref location)) && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }

    private static void InterlockedMax(ref long location, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref location)) && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }
}
