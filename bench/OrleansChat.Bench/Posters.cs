using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

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
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(urls[(int)(k % urls.Count)], $"/rooms/{roomIds[room]}/messages"))
        {
            Content = new ByteArrayContent(Body(poster, due)),
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
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Fail(exception.GetBaseException().Message);
        }
    }

    /// <summary><c>{"userId":"bench-p","text":"&lt;19-digit due timestamp&gt; xxx…"}</c>, the text <c>messageSize</c> long.</summary>
    private byte[] Body(int poster, long due)
    {
        var prefix = Encoding.UTF8.GetBytes($"{{\"userId\":\"{UserId(poster)}\",\"text\":\"");
        var body = new byte[prefix.Length + messageSize + 2];
        prefix.CopyTo(body, 0);
        Utf8Formatter.TryFormat(due, body.AsSpan(prefix.Length, 19), out _, new StandardFormat('D', 19));
        body[prefix.Length + 19] = (byte)' ';
        body.AsSpan(prefix.Length + 20, messageSize - 20).Fill((byte)'x');
        "\"}"u8.CopyTo(body.AsSpan(body.Length - 2));
        return body;
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
