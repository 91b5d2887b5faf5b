using System.Buffers.Text;
using System.Diagnostics;
using System.Net;

namespace OrleansChat.Bench;

/// <summary>
/// One SSE connection of the load generator: reads <c>GET /rooms/{roomId}/events</c> and checks, per connection,
/// that chat seqs arrive once each and in order, recording each message's post→delivery latency.
/// </summary>
/// <remarks>
/// A hand-rolled line parser rather than <c>SseParser</c>: the generator shares two cores with the server and has to
/// swallow ~100k events/s, and <c>SseParser</c> allocates an <c>SseItem</c> with its event type string and data per
/// event. Here the bytes are scanned in place: the seq from the <c>id:</c> line, the post timestamp from the first
/// digits of <c>"text":"</c> in the <c>data:</c> line, and nothing is allocated per event. Only this connection's
/// reader task writes its counters (the progress reader tolerates stale values), so there is no locking either.
/// </remarks>
internal sealed class Subscriber(int index, int room, Uri baseUrl, string roomId)
{
    private static readonly byte[] TextMarker = "\"text\":\""u8.ToArray();
    private static readonly byte[] FromMarker = "\"from\":"u8.ToArray();
    private static readonly byte[] ToMarker = "\"to\":"u8.ToArray();
    private readonly List<(long From, long To)> _gapped = [];
    private long _pendingGapFrom;
    private long _pendingGapTo;
    private ulong[] _seen = new ulong[4];
    private long _pendingId;
    private long _pendingPostTicks;
    private byte[] _epoch = [];
    private EventKind _pendingKind;

    private enum EventKind
    {
        None,
        Chat,
        Gap,
        Reset,
        Other,
    }

    public int Index { get; } = index;

    public int Room { get; } = room;

    public Uri BaseUrl { get; } = baseUrl;

    public string RoomId { get; } = roomId;

    /// <summary>The bearer token sent as <c>access_token</c>, as a browser's EventSource must; null: none.</summary>
    public string? Token { get; set; }

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

    public long LastSeq { get; private set; }

    public long Unique { get; private set; }

    public long Duplicates { get; private set; }

    public long OutOfOrder { get; private set; }

    public long Gaps { get; private set; }

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

    /// <summary>Whether an <c>event: gap</c> told this connection that <paramref name="seq"/> is gone from history.</summary>
    public bool IsGapped(long seq) => _gapped.Exists(g => g.From <= seq && seq <= g.To);

    public string GapRanges => string.Join(",", _gapped.Take(10).Select(g => $"{g.From}..{g.To}"));

    /// <summary>What a reconnect resumes from: the last seq, with the room's epoch when the server sends one.</summary>
    public string LastEventId => _epoch.Length == 0
        ? LastSeq.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : $"{LastSeq}-{System.Text.Encoding.ASCII.GetString(_epoch)}";

    public bool HasSeq(long seq)
    {
        var word = (int)(seq >> 6);
        return word < _seen.Length && (_seen[word] & (1UL << (int)(seq & 63))) != 0;
    }

    /// <summary>Sends the request and waits for the headers; the caller starts <see cref="ReadAsync"/> after.</summary>
    public async Task<Stream?> ConnectAsync(HttpClient http, string? lastEventId, CancellationToken cancellationToken)
    {
        var query = Token is null ? "" : $"?access_token={Uri.EscapeDataString(Token)}";
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
        (_pendingKind, _pendingId, _pendingPostTicks) = (EventKind.None, 0, 0);
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
                        Line(buffer.AsSpan(start, newline), now, latency);
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

    private void Line(ReadOnlySpan<byte> line, long now, LatencySplit latency)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            Dispatch(now, latency);
            return;
        }

        if (line.StartsWith("id:"u8))
        {
            // `{seq}` (v1) or `{seq}-{epoch}` (v2): the epoch is kept (allocated only when it changes) for resuming.
            var id = line[3..].TrimStart((byte)' ');
            _ = Utf8Parser.TryParse(id, out _pendingId, out var digits);
            ReadOnlySpan<byte> epoch = digits < id.Length && id[digits] == (byte)'-' ? id[(digits + 1)..] : [];
            if (!epoch.SequenceEqual(_epoch))
            {
                _epoch = epoch.ToArray();
            }
        }
        else if (line.StartsWith("event:"u8))
        {
            var type = line[6..].TrimStart((byte)' ');
            _pendingKind = type.SequenceEqual("chat"u8) ? EventKind.Chat
                : type.SequenceEqual("gap"u8) ? EventKind.Gap
                : type.SequenceEqual("reset"u8) ? EventKind.Reset
                : EventKind.Other;
        }
        else if (line.StartsWith("data:"u8))
        {
            if (_pendingKind == EventKind.Gap)
            {
                var from = line.IndexOf(FromMarker);
                var to = line.IndexOf(ToMarker);
                _ = from >= 0 && Utf8Parser.TryParse(line[(from + FromMarker.Length)..], out _pendingGapFrom, out _);
                _ = to >= 0 && Utf8Parser.TryParse(line[(to + ToMarker.Length)..], out _pendingGapTo, out _);
                return;
            }

            var at = line.IndexOf(TextMarker);
            if (at >= 0)
            {
                _ = Utf8Parser.TryParse(line[(at + TextMarker.Length)..], out _pendingPostTicks, out _);
            }
        }
    }

    private void Dispatch(long now, LatencySplit latency)
    {
        switch (_pendingKind)
        {
            case EventKind.Chat when _pendingId > 0:
                Chat(_pendingId, now, latency);
                break;
            case EventKind.Gap:
                Gaps++;
                if (_pendingGapFrom > 0 && _pendingGapTo >= _pendingGapFrom)
                {
                    _gapped.Add((_pendingGapFrom, _pendingGapTo));
                    LastSeq = Math.Max(LastSeq, _pendingGapTo);
                }

                break;
            case EventKind.Reset:
                Resets++;
                break;
        }

        _pendingKind = EventKind.None;
        _pendingId = 0;
        _pendingPostTicks = 0;
        _pendingGapFrom = _pendingGapTo = 0;
    }

    private void Chat(long seq, long now, LatencySplit latency)
    {
        LastDeliveryTicks = now;
        if (HasSeq(seq))
        {
            Duplicates++;
            return;
        }

        var word = (int)(seq >> 6);
        if (word >= _seen.Length)
        {
            Array.Resize(ref _seen, Math.Max(word + 1, _seen.Length * 2));
        }

        _seen[word] |= 1UL << (int)(seq & 63);
        Unique++;
        if (seq < LastSeq)
        {
            OutOfOrder++;
        }
        else
        {
            LastSeq = seq;
        }

        if (RecordLatency && FirstLiveDeliveryTicks == 0)
        {
            FirstLiveDeliveryTicks = now;
        }

        if (RecordLatency && _pendingPostTicks > 0)
        {
            latency.Record(_pendingPostTicks, now);
        }

        if (BacklogTarget > 0 && BacklogDoneTicks == 0 && Unique >= BacklogTarget)
        {
            BacklogDoneTicks = now;
        }
    }
}
