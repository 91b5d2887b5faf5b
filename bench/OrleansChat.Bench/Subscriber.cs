using System.Diagnostics;
using System.Net;

namespace OrleansChat.Bench;

/// <summary>
/// One SSE connection of the load generator: reads <c>GET /rooms/{roomId}/events</c>, reconnecting with
/// <c>Last-Event-ID</c> as a browser would, checks that the room's events (<c>chat</c>, <c>edit</c>, <c>delete</c>)
/// arrive once each and in order (<see cref="Seqs"/>), records each post→delivery (and edit→delivery) latency and, in
/// the edits mix, keeps its view of the room's messages (<see cref="Messages"/>).
/// </summary>
/// <remarks>
/// Only this connection's reader task writes its counters (the progress reader tolerates stale values), so there is
/// no locking; the frames are parsed in place by <see cref="SseEventParser"/>, with nothing allocated per event.
/// </remarks>
internal sealed class Subscriber(int index, int room, Uri baseUrl, string roomId)
{
    private readonly SseEventParser _parser = new();

    public int Index { get; } = index;

    public int Room { get; } = room;

    public Uri BaseUrl { get; } = baseUrl;

    public string RoomId { get; } = roomId;

    /// <summary>The bearer token sent as <c>access_token</c>, as a browser's EventSource must; null: none.</summary>
    public string? Token { get; set; }

    /// <summary>Asks for the room's presence events too (<c>?presence=true</c>), which the seq checks ignore.</summary>
    public bool Presence { get; set; }

    public HttpStatusCode? Status { get; private set; }

    public string? Error { get; private set; }

    public bool Connected { get; private set; }

    /// <summary>Request start → response headers, in stopwatch ticks.</summary>
    public long ConnectTicks { get; private set; }

    public long RequestStartTicks { get; private set; }

    /// <summary>When the connection had every seq up to <see cref="BacklogTarget"/> (resume), or 0.</summary>
    public long BacklogDoneTicks { get; private set; }

    public long BacklogTarget { get; set; }

    /// <summary>Record post→delivery latency only while this is set (not for a replayed backlog).</summary>
    public bool RecordLatency { get; set; }

    /// <summary>The seqs received, across reconnects.</summary>
    public SeqLedger Seqs { get; } = new();

    /// <summary>The room's messages as this connection's events left them; null unless <see cref="TrackMessages"/>.</summary>
    public MessageStates? Messages { get; private set; }

    public long Resets { get; private set; }

    public long LastDeliveryTicks { get; private set; }

    /// <summary>When the first message was received while <see cref="RecordLatency"/> was set, or 0.</summary>
    public long FirstLiveDeliveryTicks { get; private set; }

    /// <summary>Times the server ended the stream while the run went on.</summary>
    public int EndedByServer { get; private set; }

    /// <summary>Times the stream broke (the server disconnects a client that reads too slowly, docs/api.md).</summary>
    public int ReadErrors { get; private set; }

    public string? LastReadError { get; private set; }

    /// <summary>Reconnections with <c>Last-Event-ID</c>, as a browser makes after an interruption.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Reconnecting failed too often: this connection stopped receiving.</summary>
    public bool GaveUp { get; private set; }

    /// <summary>What a reconnect resumes from: the last seq, with the room's epoch when the server sends one.</summary>
    public string LastEventId => _parser.HasEpoch
        ? $"{Seqs.LastSeq}-{_parser.Epoch}"
        : Seqs.LastSeq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Keeps <see cref="Messages"/>: every event's message as it now stands (the edits mix's final check).</summary>
    public void TrackMessages()
    {
        Messages = new MessageStates();
        _parser.ReadMessages = true;
    }

    /// <summary>Sends the request and waits for the headers; the caller starts <see cref="ReadAsync"/> after.</summary>
    public async Task<Stream?> ConnectAsync(HttpClient http, string? lastEventId, CancellationToken cancellationToken)
    {
        var token = Token is null ? null : $"access_token={Uri.EscapeDataString(Token)}";
        var query = (Presence, token) switch
        {
            (false, null) => "",
            (false, _) => $"?{token}",
            (true, null) => "?presence=true",
            (true, _) => $"?presence=true&{token}",
        };
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUrl, $"/rooms/{RoomId}/events{query}"));
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var started = Stopwatch.GetTimestamp();
        if (RequestStartTicks == 0)
        {
            RequestStartTicks = started;
        }

        try
        {
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            ConnectTicks = Stopwatch.GetTimestamp() - started;
            Status = response.StatusCode;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Error = $"HTTP {(int)response.StatusCode}";
                response.Dispose();
                return null;
            }

            Connected = true;
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ConnectTicks = Stopwatch.GetTimestamp() - started;
            Error = exception.GetBaseException().Message;
            return null;
        }
    }

    /// <summary>
    /// Reads the stream; when it ends or breaks before <paramref name="cancellationToken"/> fires, reconnects with
    /// <c>Last-Event-ID</c> set to the last seq received, as a browser would, and carries on checking the seqs.
    /// </summary>
    public async Task RunAsync(HttpClient http, Stream stream, LatencySplit latency, CancellationToken cancellationToken)
    {
        while (true)
        {
            await ReadAsync(stream, latency, cancellationToken);
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Stream? next = null;
            for (var attempt = 1; next is null && attempt <= 5 && !cancellationToken.IsCancellationRequested; attempt++)
            {
                Reconnects++;
                next = await ConnectAsync(http, LastEventId, cancellationToken);
                if (next is null)
                {
                    await Task.Delay(100 * attempt, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
                }
            }

            if (next is null)
            {
                GaveUp = !cancellationToken.IsCancellationRequested;
                return;
            }

            stream = next;
        }
    }

    private async Task ReadAsync(Stream stream, LatencySplit latency, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        _parser.Clear();
        int start = 0, end = 0;
        try
        {
            await using (stream)
            {
                while (true)
                {
                    if (end == buffer.Length)
                    {
                        if (start > 0)
                        {
                            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        else
                        {
                            Array.Resize(ref buffer, buffer.Length * 2);
                        }
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                    if (read == 0)
                    {
                        EndedByServer++;
                        return;
                    }

                    end += read;
                    var now = Stopwatch.GetTimestamp();
                    int newline;
                    while ((newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                    {
                        if (_parser.Line(buffer.AsSpan(start, newline)))
                        {
                            Dispatch(now, latency);
                        }

                        start += newline + 1;
                    }

                    if (start == end)
                    {
                        start = end = 0;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            ReadErrors++;
            LastReadError = exception.GetBaseException().Message;
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Dispatch(long now, LatencySplit latency)
    {
        switch (_parser.Kind)
        {
            case SseEventKind.Chat or SseEventKind.Edit or SseEventKind.Delete when _parser.Id > 0:
                RoomEvent(_parser.Id, now, latency);
                break;
            case SseEventKind.Gap:
                Seqs.Gap(_parser.GapFrom, _parser.GapTo);
                break;
            case SseEventKind.Reset:
                Resets++;
                break;
        }

        _parser.Clear();
    }

    private void RoomEvent(long seq, long now, LatencySplit latency)
    {
        LastDeliveryTicks = now;
        if (!Seqs.Receive(seq))
        {
            return;
        }

        if (Messages is { } messages && _parser.MessageSeq > 0)
        {
            messages.Set(_parser.MessageSeq, _parser.MessageState);
        }

        if (RecordLatency && FirstLiveDeliveryTicks == 0)
        {
            FirstLiveDeliveryTicks = now;
        }

        if (RecordLatency && _parser.PostTicks > 0)
        {
            latency.Record(_parser.PostTicks, now);
        }

        if (BacklogTarget > 0 && BacklogDoneTicks == 0 && Seqs.Unique >= BacklogTarget)
        {
            BacklogDoneTicks = now;
        }
    }
}
