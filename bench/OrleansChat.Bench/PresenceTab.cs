using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>A user of the presence scenario: who, in which room, with which token.</summary>
internal sealed record PresenceUserSpec(int Index, string UserId, int Room, string RoomId)
{
    public string Token { get; set; } = "";
}

/// <summary>
/// One browser tab of the presence scenario: a <c>?presence=true</c> stream of one user in one room. When its stream
/// breaks it reconnects to its fallback node after the server's <c>retry</c> hint plus a little jitter, as
/// EventSource does, and it tells the ledger every presence event it receives.
/// </summary>
/// <remarks>
/// <c>SseParser</c> is enough here: a tab receives a few presence events, not a chat room's fan-out.
/// </remarks>
internal sealed class PresenceTab(PresenceUserSpec user, Uri home, Uri fallback, PresenceLedger ledger)
{
    private static readonly TimeSpan DefaultRetry = TimeSpan.FromSeconds(2);

    private TimeSpan _retry = DefaultRetry;

    public PresenceUserSpec User => user;

    public Uri Home => home;

    public bool Connected { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Stopwatch ticks of the last response headers (the first connect or a reconnect).</summary>
    public long ConnectedTicks { get; private set; }

    /// <summary>Failed reconnect attempts (a refused connection, a 502/503 while the cluster noticed the death).</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>Opens a stream of the tab on <paramref name="node"/>; null (with <see cref="Error"/>) when that failed.</summary>
    public async Task<Stream?> ConnectAsync(HttpClient http, Uri node, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(node, $"/rooms/{user.RoomId}/events?presence=true&access_token={Uri.EscapeDataString(user.Token)}"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Error = $"HTTP {(int)response.StatusCode}";
                response.Dispose();
                return null;
            }

            ConnectedTicks = Stopwatch.GetTimestamp();
            Connected = true;
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            Error = exception.GetBaseException().Message;
            return null;
        }
    }

    /// <summary>Reads the stream; when it breaks, reconnects to the fallback node until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(HttpClient http, Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            await ReadAsync(stream, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Stream? next = null;
            while (next is null && !cancellationToken.IsCancellationRequested)
            {
                var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, 500));
                await Task.Delay(_retry + jitter, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                next = await ConnectAsync(http, fallback, cancellationToken);
                if (next is null && !cancellationToken.IsCancellationRequested)
                {
                    FailedAttempts++;
                }
            }

            if (next is null)
            {
                return;
            }

            stream = next;
        }
    }

    private async Task ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            await using (stream)
            {
                var parser = SseParser.Create(stream);
                await foreach (var item in parser.EnumerateAsync(cancellationToken))
                {
                    _retry = parser.ReconnectionInterval > TimeSpan.Zero ? parser.ReconnectionInterval : DefaultRetry;
                    Received(item);
                }
            }
        }
        catch (Exception)
        {
            // A killed node breaks the stream, which is what the scenario is about; the caller reconnects, or
            // stops when the run is over.
        }
    }

    private void Received(SseItem<string> item)
    {
        var now = Stopwatch.GetTimestamp();
        switch (item.EventType)
        {
            case "presence":
                using (var body = JsonDocument.Parse(item.Data))
                {
                    var listed = body.RootElement.GetProperty("members").EnumerateArray()
                        .Select(m => m.GetProperty("userId").GetString()!)
                        .ToHashSet(StringComparer.Ordinal);
                    ledger.Snapshot(this, listed, now);
                }

                break;
            case "join" or "leave" or "typing":
                using (var body = JsonDocument.Parse(item.Data))
                {
                    ledger.Change(this, item.EventType, body.RootElement.GetProperty("userId").GetString()!, now);
                }

                break;
        }
    }
}
