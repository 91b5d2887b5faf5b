using System.Threading.Channels;
using OrleansChat.Api.Events;

namespace OrleansChat.Api.Sse;

/// <summary>
/// One client's event stream: a bounded queue of frames between the room feed and the response.
/// A client that lets the queue fill is disconnected, so it never slows the feed or the other clients.
/// </summary>
internal sealed class SseConnection
{
    private readonly Channel<SseFrame> _frames;
    private readonly HttpContext _context;
    private long _lastWriteTicks = Environment.TickCount64;
    private int _overflowed;
    private int _closed;

    public SseConnection(HttpContext context, int capacity)
    {
        _context = context;
        _frames = Channel.CreateBounded<SseFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<SseFrame> Frames => _frames.Reader;

    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    /// <summary>True once the node ended the stream itself (<see cref="Close"/>), as at shutdown or a token's expiry.</summary>
    public bool Closed => Volatile.Read(ref _closed) == 1;

    /// <summary>The frame the stream was closed with (<see cref="CloseWith"/>), if any: what ended it.</summary>
    public SseFrame? LastFrame { get; private set; }

    /// <summary>Milliseconds since anything was last written to this client.</summary>
    public long IdleMilliseconds => Environment.TickCount64 - Interlocked.Read(ref _lastWriteTicks);

    public void Enqueue(SseFrame frame)
    {
        // A write refused after Close() is the clean end of the stream, not a client that fell behind.
        if (!_frames.Writer.TryWrite(frame) && Volatile.Read(ref _closed) == 0 && Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            _frames.Writer.TryComplete();
            _context.Abort();
        }
    }

    public void MarkWritten() => Interlocked.Exchange(ref _lastWriteTicks, Environment.TickCount64);

    /// <summary>Ends the stream cleanly with <paramref name="last"/> once what is queued before it has been written.</summary>
    public void CloseWith(SseFrame last)
    {
        LastFrame = last;
        Enqueue(last);
        Close();
    }

    /// <summary>Ends the stream cleanly once what is queued has been written.</summary>
    public void Close()
    {
        Volatile.Write(ref _closed, 1);
        _frames.Writer.TryComplete();
    }
}
