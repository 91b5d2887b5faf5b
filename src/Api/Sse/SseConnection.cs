using System.Threading.Tasks.Sources;
using OrleansChat.Api.Events;

namespace OrleansChat.Api.Sse;

/// <summary>
/// One client's event stream: a bounded queue of frames between the room feed and the response.
/// A client that lets the queue fill is disconnected, so it never slows the feed or the other clients.
/// </summary>
/// <remarks>
/// A queue and one reusable wait rather than a <c>Channel</c>: a node holds one of these per open stream, mostly
/// idle, and a bounded channel with its reader, writer and cached operations is ≈ 700 B more per stream
/// (docs/benchmarks.md, issue 14). One reader (the stream's pump), many writers (the feed, the keep-alive, expiry).
/// </remarks>
internal sealed class SseConnection : IValueTaskSource<bool>
{
    private readonly Queue<SseFrame> _frames = new();
    private readonly HttpContext _context;
    private readonly int _capacity;
    private ManualResetValueTaskSourceCore<bool> _wait = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _waitCancellation;
    private CancellationToken _waitToken;
    private bool _waiting;
    private bool _completed;
    private long _lastWriteTicks = Environment.TickCount64;
    private int _overflowed;
    private int _closed;

    public SseConnection(HttpContext context, int capacity)
    {
        _context = context;
        _capacity = capacity;
    }

    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    /// <summary>True once the node ended the stream itself (<see cref="Close"/>), as at shutdown or a token's expiry.</summary>
    public bool Closed => Volatile.Read(ref _closed) == 1;

    /// <summary>The frame the stream was closed with (<see cref="CloseWith"/>), if any: what ended it.</summary>
    public SseFrame? LastFrame { get; private set; }

    /// <summary>Milliseconds since anything was last written to this client.</summary>
    public long IdleMilliseconds => Environment.TickCount64 - Interlocked.Read(ref _lastWriteTicks);

    /// <summary>Queues <paramref name="frame"/>; a reader waiting for it continues on a thread-pool thread.</summary>
    public void Enqueue(SseFrame frame) => Enqueue(frame, writeHere: false);

    /// <summary>
    /// Queues <paramref name="frame"/>; a reader waiting for it continues on this thread, up to its next wait (its
    /// write and flush; the socket send is Kestrel's, elsewhere). For a room feed's fan-out: one thread writes the
    /// room's connections in turn, rather than waking a thread-pool thread per connection per frame.
    /// </summary>
    public void EnqueueAndWrite(SseFrame frame) => Enqueue(frame, writeHere: true);

    private void Enqueue(SseFrame frame, bool writeHere)
    {
        bool wake, overflowed = false;
        lock (_frames)
        {
            // A write refused after Close() is the clean end of the stream, not a client that fell behind.
            if (_completed)
            {
                return;
            }

            if (_frames.Count >= _capacity)
            {
                _completed = true;
                overflowed = Volatile.Read(ref _closed) == 0;
                if (overflowed)
                {
                    Volatile.Write(ref _overflowed, 1);
                }
            }
            else
            {
                _frames.Enqueue(frame);
            }

            wake = _waiting;
            _waiting = false;
        }

        if (overflowed)
        {
            _context.Abort();
        }

        if (wake)
        {
            // Not here when this frame overflowed the queue: the reader then only has to end, and not on the caller's thread.
            Wake(writeHere && !overflowed);
        }
    }

    /// <summary>
    /// True once a frame can be read, false once the stream is complete and drained. One reader at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        lock (_frames)
        {
            if (_frames.Count > 0 || _completed)
            {
                return new ValueTask<bool>(_frames.Count > 0);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<bool>(cancellationToken);
            }

            // Waiting before registering: a token cancelled in between runs the callback here, which must see it.
            _wait.Reset();
            _waitToken = cancellationToken;
            _waiting = true;
            _waitCancellation = cancellationToken.UnsafeRegister(static state => ((SseConnection)state!).CancelWait(), this);
            return new ValueTask<bool>(this, _wait.Version);
        }
    }

    public bool TryRead(out SseFrame frame)
    {
        lock (_frames)
        {
            return _frames.TryDequeue(out frame!);
        }
    }

    public bool TryPeek(out SseFrame frame)
    {
        lock (_frames)
        {
            return _frames.TryPeek(out frame!);
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
        bool wake;
        lock (_frames)
        {
            _completed = true;
            wake = _waiting;
            _waiting = false;
        }

        if (wake)
        {
            Wake(here: false);
        }
    }

    /// <summary>
    /// Completes the reader's wait: with true when a frame came, false when the stream completed (a waiting reader
    /// had found the queue empty, and whatever arrives first ends the wait).
    /// </summary>
    private void Wake(bool here)
    {
        _waitCancellation.Unregister();
        bool hasFrames;
        lock (_frames)
        {
            hasFrames = _frames.Count > 0;
        }

        // Only the caller that cleared _waiting gets here (or to CancelWait), so this completion's setting is its own.
        _wait.RunContinuationsAsynchronously = !here;
        _wait.SetResult(hasFrames);
    }

    private void CancelWait()
    {
        lock (_frames)
        {
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _wait.RunContinuationsAsynchronously = true;
        _wait.SetException(new OperationCanceledException(_waitToken));
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);
}
