using System.Net.ServerSentEvents;
using System.Text.Json;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// An event-stream client that behaves like a browser's EventSource: when the stream breaks or ends it connects
/// again, sending the last event id it saw as <c>Last-Event-ID</c>. Records every chat event over all its
/// connections, and which node served each connection.
/// </summary>
internal sealed class ResumingSseClient : IAsyncDisposable
{
    // Browsers wait the server's retry hint (2 s); a shorter wait keeps the tests quick and measures the system.
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;
    private readonly string _path;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<ChatMessage> _messages = [];
    private readonly List<Connection> _connections = [];
    private readonly List<string> _otherEvents = [];
    private readonly Task _loop;
    private string? _lastEventId;

    // Each connection presents a fresh token, as a page would after its previous one expired.
    private readonly string _userId = $"reader-{Guid.NewGuid():N}"[..16];

    private readonly TokenIssuer? _tokens;

    /// <param name="tokens">Signs each connection's token; the loopback cluster's key unless given.</param>
    public ResumingSseClient(Uri baseAddress, string roomId, string? lastEventId, TokenIssuer? tokens = null)
    {
        _tokens = tokens;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _path = $"/rooms/{roomId}/events";
        _lastEventId = lastEventId;
        _loop = Task.Run(RunAsync);
    }

    public sealed record Connection(DateTime OpenedAt, string Upstream, string? LastEventIdSent)
    {
        public DateTime? ClosedAt { get; set; }

        public string? CloseReason { get; set; }

        public int Received { get; set; }
    }

    /// <summary>The user every connection's token names.</summary>
    public string UserId => _userId;

    public IReadOnlyList<long> Seqs
    {
        get
        {
            lock (_lock)
            {
                return _messages.Select(m => m.Seq).ToArray();
            }
        }
    }

    public IReadOnlyList<ChatMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return _messages.ToArray();
            }
        }
    }

    public IReadOnlyList<Connection> Connections
    {
        get
        {
            lock (_lock)
            {
                return _connections.ToArray();
            }
        }
    }

    /// <summary>Events other than chat (gap, reset): none are expected while history is retained.</summary>
    public IReadOnlyList<string> OtherEvents
    {
        get
        {
            lock (_lock)
            {
                return _otherEvents.ToArray();
            }
        }
    }

    public bool HasSeen(long seq) => Seqs is { Count: > 0 } seqs && seqs[^1] >= seq;

    public string Describe()
    {
        var connections = string.Join("; ", Connections.Select(c =>
            $"{c.Upstream} from {c.OpenedAt:HH:mm:ss.fff} (Last-Event-ID {c.LastEventIdSent ?? "none"}, {c.Received} events, ended {c.ClosedAt:HH:mm:ss.fff} {c.CloseReason})"));
        return $"seqs [{Compact(Seqs)}], other events [{string.Join(", ", OtherEvents)}], connections: {connections}";
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Connection? connection = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, _path);
                request.Headers.Accept.ParseAdd("text/event-stream");
                request.Headers.Authorization = (_tokens ?? ClusterTokens.Issuer).Bearer(_userId);
                var sent = _lastEventId;
                if (sent is not null)
                {
                    request.Headers.Add("Last-Event-ID", sent);
                }

                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                var upstream = response.Headers.TryGetValues("X-Chat-Upstream", out var values) ? string.Join(",", values) : _http.BaseAddress!.Authority;
                connection = new Connection(DateTime.UtcNow, upstream, sent);
                lock (_lock)
                {
                    _connections.Add(connection);
                }

                if (!response.IsSuccessStatusCode)
                {
                    connection.CloseReason = $"HTTP {(int)response.StatusCode}";
                    continue;
                }

                await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
                await foreach (var item in SseParser.Create(stream).EnumerateAsync(_stop.Token))
                {
                    lock (_lock)
                    {
                        connection.Received++;
                        if (item.EventType == "chat")
                        {
                            _messages.Add(JsonSerializer.Deserialize<ChatMessage>(item.Data, JsonSerializerOptions.Web)!);
                        }
                        else
                        {
                            _otherEvents.Add($"{item.EventType}: {item.Data}");
                        }

                        if (!string.IsNullOrEmpty(item.EventId))
                        {
                            _lastEventId = item.EventId;
                        }
                    }
                }

                connection.CloseReason = "ended by the server";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                if (connection is not null)
                {
                    connection.CloseReason = exception.GetType().Name;
                }
            }
            finally
            {
                connection?.ClosedAt = DateTime.UtcNow;
            }

            try
            {
                await Task.Delay(ReconnectDelay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _http.Dispose();
        _stop.Dispose();
    }

    /// <summary>1,2,3,5,6 as "1-3,5-6": a long run of seqs stays readable in a failure message.</summary>
    public static string Compact(IReadOnlyList<long> seqs)
    {
        var parts = new List<string>();
        for (var i = 0; i < seqs.Count;)
        {
            var j = i;
            while (j + 1 < seqs.Count && seqs[j + 1] == seqs[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? $"{seqs[i]}" : $"{seqs[i]}-{seqs[j]}");
            i = j + 1;
        }

        return string.Join(",", parts);
    }
}
