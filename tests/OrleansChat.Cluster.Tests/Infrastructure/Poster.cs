using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// Posts to a room like a careful client: every message has a clientMessageId, and a post that failed or timed out
/// is retried with the same id until the room acknowledges it. Records every attempt and every acknowledgement.
/// </summary>
/// <param name="tokens">Signs the poster's token; the loopback cluster's key unless given.</param>
internal sealed class Poster(Uri baseAddress, string roomId, string userId, TokenIssuer? tokens = null) : IDisposable
{
    /// <summary>No single attempt may take longer: the API must answer, even when a silo just died.</summary>
    public static readonly TimeSpan AttemptDeadline = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http = new()
    {
        BaseAddress = baseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { Authorization = (tokens ?? ClusterTokens.Issuer).Bearer(userId) },
    };
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly ConcurrentDictionary<string, ChatMessage> _acknowledged = new();
    private int _next;

    /// <param name="Status">The HTTP status, or 0 when no answer came within <see cref="AttemptDeadline"/> or the connection failed.</param>
    public sealed record Attempt(string ClientMessageId, DateTime StartedAt, TimeSpan Duration, int Status, bool HasRetryAfter, string? Problem);

    public IReadOnlyCollection<Attempt> Attempts => _attempts.ToArray();

    public IReadOnlyDictionary<string, ChatMessage> Acknowledged => _acknowledged;

    /// <summary>
    /// Posts messages one after the other until <paramref name="stop"/>, starting one at most every
    /// <paramref name="pace"/>; the message in flight is still seen through.
    /// </summary>
    public async Task RunAsync(CancellationToken stop, TimeSpan finishWithin, TimeSpan pace = default)
    {
        while (!stop.IsCancellationRequested)
        {
            var next = Task.Delay(pace, CancellationToken.None);
            await PostAsync(finishWithin);
            await next;
        }
    }

    /// <summary>
    /// Starts a new message every <paramref name="interval"/> without waiting for the earlier ones, so that a post
    /// stuck on a dead silo does not hide when the room takes new posts again.
    /// </summary>
    public async Task RunEveryAsync(TimeSpan interval, CancellationToken stop, TimeSpan finishWithin)
    {
        var posts = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            posts.Add(PostAsync(finishWithin));
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(posts);
    }

    /// <summary>
    /// Posts one new message, or again the one with <paramref name="clientMessageId"/>, retrying until it is
    /// acknowledged or <paramref name="within"/> has passed.
    /// </summary>
    public async Task<ChatMessage> PostAsync(TimeSpan within, string? clientMessageId = null)
    {
        clientMessageId ??= $"{userId}-{Interlocked.Increment(ref _next)}";
        var text = $"message {clientMessageId}";
        var giveUpAt = DateTime.UtcNow + within;
        while (true)
        {
            if (await TryPostAsync(clientMessageId, text) is { } message)
            {
                return message;
            }

            if (DateTime.UtcNow > giveUpAt)
            {
                throw new TimeoutException($"'{clientMessageId}' was not acknowledged within {within.TotalSeconds:0} s; attempts: {string.Join("; ", Attempts.Where(a => a.ClientMessageId == clientMessageId))}");
            }

            // Retry-After says 2 s; retrying sooner measures when the room is back rather than the client's patience.
            await Task.Delay(200);
        }
    }

    private async Task<ChatMessage?> TryPostAsync(string clientMessageId, string text)
    {
        var startedAt = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(AttemptDeadline);
        try
        {
            using var response = await _http.PostAsJsonAsync($"/rooms/{roomId}/messages", new { userId, text, clientMessageId }, deadline.Token);
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            var status = (int)response.StatusCode;
            _attempts.Enqueue(new Attempt(clientMessageId, startedAt, clock.Elapsed, status, response.Headers.RetryAfter is not null, response.IsSuccessStatusCode ? null : body));
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
            {
                var message = JsonSerializer.Deserialize<ChatMessage>(body, JsonSerializerOptions.Web)!;
                _acknowledged[clientMessageId] = message;
                return message;
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            _attempts.Enqueue(new Attempt(clientMessageId, startedAt, clock.Elapsed, 0, false, exception.Message));
        }

        return null;
    }

    public void Dispose() => _http.Dispose();
}
