using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// Concurrent posters: <c>POST /rooms/{roomId}/messages</c>, post k to room k mod rooms, at a fixed total rate
/// (post k is due k/rate seconds after the start; a poster that falls behind posts at once) or back to back.
/// The text starts with the post's stopwatch timestamp (19 digits) so a subscriber in this process can compute
/// post→delivery latency on one clock; the rest is padding up to the message size. Poster p posts as user
/// <c>bench-p</c>, with <c>tokens[p]</c> as its bearer token when there are tokens.
/// </summary>
internal sealed class Posters(HttpClient http, IReadOnlyList<Uri> urls, string[] roomIds, int messageSize, string[]? tokens = null)
{
    public static string UserId(int poster) => $"bench-{poster}";

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly long[] _acked = new long[roomIds.Length];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _attempted;
    private long _failed;

    public Histogram AckLatency { get; } = new();

    public long Attempted => Interlocked.Read(ref _attempted);

    public long Failed => Interlocked.Read(ref _failed);

    public long AckedTotal => Enumerable.Range(0, _acked.Length).Sum(Acked);

    public long Acked(int room) => Interlocked.Read(ref _acked[room]);

    public IReadOnlyList<string> Errors => [.. _errors.OrderByDescending(e => e.Value).Take(5).Select(e => $"{e.Key} ×{e.Value}")];

    /// <summary>
    /// Posts until <paramref name="endTicks"/> or <paramref name="count"/> posts, whichever is first; with a rate, post k
    /// is due at <paramref name="start"/> + k/rate.
    /// </summary>
    public async Task RunAsync(int posters, double rate, long start, long endTicks, long count, bool recordLatency, CancellationToken cancellationToken)
    {
        long next = -1;
        var ticksPerPost = rate > 0 ? Stopwatch.Frequency / rate : 0;
        await Task.WhenAll(Enumerable.Range(0, posters).Select(p => Task.Run(() => PostLoopAsync(p), cancellationToken)));

        async Task PostLoopAsync(int poster)
        {
            var prefix = Encoding.UTF8.GetBytes($"{{\"userId\":\"{UserId(poster)}\",\"text\":\"");
            var authorization = tokens is null ? null : new AuthenticationHeaderValue("Bearer", tokens[poster]);
            var body = new byte[prefix.Length + messageSize + 2];
            prefix.CopyTo(body, 0);
            body.AsSpan(prefix.Length + 19, messageSize - 19).Fill((byte)'x');
            body[prefix.Length + 19] = (byte)' ';
            "\"}"u8.CopyTo(body.AsSpan(body.Length - 2));

            while (!cancellationToken.IsCancellationRequested)
            {
                var k = Interlocked.Increment(ref next);
                if (k >= count)
                {
                    return;
                }

                if (ticksPerPost > 0)
                {
                    var due = start + (long)(k * ticksPerPost);
                    if (due >= endTicks)
                    {
                        return;
                    }

                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, cancellationToken);
                    }
                }
                else if (Stopwatch.GetTimestamp() >= endTicks)
                {
                    return;
                }

                var room = (int)(k % roomIds.Length);
                var url = new Uri(urls[(int)(k % urls.Count)], $"/rooms/{roomIds[room]}/messages");
                var sent = Stopwatch.GetTimestamp();
                Utf8Formatter.TryFormat(sent, body.AsSpan(prefix.Length, 19), out _, new StandardFormat('D', 19));
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;
                request.Headers.Authorization = authorization;
                Interlocked.Increment(ref _attempted);
                try
                {
                    using var response = await http.SendAsync(request, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Interlocked.Increment(ref _acked[room]);
                        if (recordLatency)
                        {
                            AckLatency.RecordTicks(Stopwatch.GetTimestamp() - sent);
                        }
                    }
                    else
                    {
                        Fail($"HTTP {(int)response.StatusCode}");
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    Fail(exception.GetBaseException().Message);
                }
            }
        }
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);
    }
}
