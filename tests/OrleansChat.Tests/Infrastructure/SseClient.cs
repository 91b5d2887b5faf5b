using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>
/// An event-stream client over a real HTTP connection: parses with <see cref="SseParser"/> and also keeps the
/// raw text, since the parser hides comments (keep-alives) and bare retry fields.
/// </summary>
internal sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Channel<SseItem<string>> _items = Channel.CreateUnbounded<SseItem<string>>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<SseItem<string>> _received = [];
    private RecordingStream? _raw;

    private SseClient(HttpClient http, HttpResponseMessage response)
    {
        _http = http;
        Response = response;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Ends when the server ends the stream; faults if the connection breaks.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public string RawText => _raw?.Text ?? "";

    /// <summary>Every event received so far, in order of arrival.</summary>
    public SseItem<string>[] Items
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Every chat seq received so far, in order of arrival.</summary>
    public IReadOnlyList<long> ChatSeqs
    {
        get
        {
            lock (_received)
            {
                return _received.Where(i => i.EventType == "chat").Select(i => SeqOf(i.EventId!)).ToArray();
            }
        }
    }

    /// <summary>Every event received so far (chat, edit, delete, gap, reset, …), in order of arrival.</summary>
    public IReadOnlyList<SseItem<string>> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The seq of an event id <c>{seq}-{epoch}</c>.</summary>
    public static long SeqOf(string eventId) => long.Parse(eventId.Split('-')[0]);

    /// <summary>The epoch of an event id <c>{seq}-{epoch}</c>.</summary>
    public static string EpochOf(string eventId) => eventId.Split('-')[1];

    public static async Task<SseClient> ConnectAsync(
        Uri baseAddress, string path, string? lastEventId = null, bool startReading = true, int? receiveBufferBytes = null, string? bearerToken = null)
    {
        var handler = new SocketsHttpHandler();
        if (receiveBufferBytes is { } size)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            };
        }

        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        if (bearerToken is not null)
        {
            request.Headers.Authorization = new("Bearer", bearerToken);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var client = new SseClient(http, response);
        if (startReading && response.StatusCode == HttpStatusCode.OK)
        {
            client.StartReading();
        }

        return client;
    }

    public void StartReading() => Completion = ReadAsync();

    /// <summary>The next event (chat, gap or reset), or a failure at the deadline.</summary>
    public async Task<SseItem<string>> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            return await _items.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No event within the deadline; chat seqs so far: [{string.Join(",", ChatSeqs)}].");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The stream ended; chat seqs so far: [{string.Join(",", ChatSeqs)}].");
        }
    }

    /// <summary>Waits until chat seqs up to <paramref name="seq"/> (or more) have arrived.</summary>
    public Task WaitForSeqAsync(long seq, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => ChatSeqs.Count > 0 && ChatSeqs[^1] >= seq, $"seq {seq} arrived (have [{string.Join(",", ChatSeqs)}])", timeout);

    private async Task ReadAsync()
    {
        try
        {
            _raw = new RecordingStream(await Response.Content.ReadAsStreamAsync(_stop.Token));
            var parser = SseParser.Create(_raw);
            await foreach (var item in parser.EnumerateAsync(_stop.Token))
            {
                lock (_received)
                {
                    _received.Add(item);
                }

                _items.Writer.TryWrite(item);
            }
        }
        finally
        {
            _items.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (Exception)
        {
            // Cancelled or broken: either way this client is done.
        }

        Response.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly StringBuilder _text = new();
        private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            var chars = new char[_decoder.GetCharCount(buffer.Span[..read], flush: false)];
            _decoder.GetChars(buffer.Span[..read], chars, flush: false);
            lock (_text)
            {
                _text.Append(chars);
            }

            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
