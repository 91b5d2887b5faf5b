using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansChat.Api.Events;

/// <summary>
/// One SSE event or comment as UTF-8 bytes, encoded once and shared by every connection that writes it. Closed:
/// the kinds are the sealed types in this folder, and <see cref="RoomCursor"/> decides for each what a reader writes.
/// </summary>
/// <remarks>
/// Encoded here rather than with <c>SseFormatter</c>, which writes a whole <c>IAsyncEnumerable</c> to one stream:
/// a node must encode each event once and hand the same bytes to thousands of connections, and it also writes
/// comment lines and a bare <c>retry:</c> field that <c>SseItem</c> cannot express. Data is always single-line
/// JSON (the serializer escapes line breaks), so each event is exactly <c>id</c>/<c>event</c>/<c>data</c>.
/// </remarks>
internal abstract class SseFrame
{
    private protected SseFrame(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public ReadOnlyMemory<byte> Bytes { get; }

    private protected static byte[] Encode<T>(string fields, T data, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Encoding.UTF8.GetBytes(fields));
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, data, typeInfo);
        }

        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Events that carry the room's seqs <see cref="FirstSeq"/>..<see cref="LastSeq"/> of its log <see cref="Epoch"/>, each
/// with its id <c>{seq}-{epoch}</c>.
/// </summary>
internal abstract class SeqFrame : SseFrame
{
    private protected SeqFrame(string epoch, long firstSeq, long lastSeq, DateTimeOffset firstCreatedAt, ReadOnlyMemory<byte> bytes) : base(bytes)
    {
        Epoch = epoch;
        FirstSeq = firstSeq;
        LastSeq = lastSeq;
        FirstCreatedAt = firstCreatedAt;
    }

    public string Epoch { get; }

    public long FirstSeq { get; }

    /// <summary>When the room stored the first event, for the delivery lag.</summary>
    public DateTimeOffset FirstCreatedAt { get; }

    public long LastSeq { get; }

    /// <summary>The bytes of the events with a seq above <paramref name="seq"/>.</summary>
    public abstract ReadOnlyMemory<byte> After(long seq);
}

/// <summary>
/// One event of the room's log: <c>event: chat</c> for a new message, <c>event: edit</c> or <c>event: delete</c> for a
/// change; the data is the message it names, as it stood when encoded.
/// </summary>
internal sealed class ChatFrame : SeqFrame
{
    private ChatFrame(string epoch, RoomEvent roomEvent, byte[] bytes) : base(epoch, roomEvent.Seq, roomEvent.Seq, roomEvent.At, bytes) =>
        Event = roomEvent;

    public RoomEvent Event { get; }

    public static ChatFrame Of(string epoch, RoomEvent roomEvent) =>
        new(epoch, roomEvent, Encode($"id: {roomEvent.Seq}-{epoch}\nevent: {EventType(roomEvent.Kind)}\n", roomEvent.Message, EventJsonContext.Default.ChatMessage));

    public override ReadOnlyMemory<byte> After(long seq) => seq < LastSeq ? Bytes : ReadOnlyMemory<byte>.Empty;

    private static string EventType(RoomEventKind kind) => kind switch
    {
        RoomEventKind.Message => "chat",
        RoomEventKind.Edit => "edit",
        RoomEventKind.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>
/// Consecutive chat events of one stream batch in one frame, so a batch costs each connection one queue entry and
/// one write; a reader that already has the first few gets only the rest.
/// </summary>
internal sealed class ChatBatchFrame : SeqFrame
{
    // Where each event starts in Bytes.
    private readonly int[] _offsets;

    private ChatBatchFrame(ChatFrame first, long lastSeq, byte[] bytes, int[] offsets)
        : base(first.Epoch, first.FirstSeq, lastSeq, first.FirstCreatedAt, bytes) =>
        _offsets = offsets;

    /// <summary>One frame for <paramref name="chats"/>, which must have consecutive seqs of one epoch.</summary>
    public static SeqFrame Of(IReadOnlyList<ChatFrame> chats)
    {
        if (chats.Count == 1)
        {
            return chats[0];
        }

        var offsets = new int[chats.Count];
        var length = 0;
        for (var i = 0; i < chats.Count; i++)
        {
            if (i > 0 && (chats[i].FirstSeq != chats[i - 1].LastSeq + 1 || chats[i].Epoch != chats[0].Epoch))
            {
                throw new ArgumentException("Chat frames must have consecutive seqs of one epoch.", nameof(chats));
            }

            offsets[i] = length;
            length += chats[i].Bytes.Length;
        }

        var bytes = new byte[length];
        for (var i = 0; i < chats.Count; i++)
        {
            chats[i].Bytes.Span.CopyTo(bytes.AsSpan(offsets[i]));
        }

        return new ChatBatchFrame(chats[0], chats[^1].LastSeq, bytes, offsets);
    }

    public override ReadOnlyMemory<byte> After(long seq) =>
        seq < FirstSeq ? Bytes
        : seq >= LastSeq ? ReadOnlyMemory<byte>.Empty
        : Bytes[_offsets[(int)(seq - FirstSeq + 1)]..];
}

/// <summary><c>event: gap</c>: the room's events <see cref="From"/>..<see cref="To"/> are gone from its history.</summary>
internal sealed class GapFrame : SseFrame
{
    private GapFrame(long from, long to, byte[] bytes) : base(bytes) => (From, To) = (from, to);

    public long From { get; }

    public long To { get; }

    public static GapFrame Of(string roomId, long from, long to) =>
        new(from, to, Encode("event: gap\n", new GapEvent(roomId, from, to), EventJsonContext.Default.GapEvent));
}

/// <summary>
/// <c>event: reset</c>: the reader's events are not the room's (another epoch, or a room behind the reader); it
/// continues after <see cref="LastSeq"/> of <see cref="Epoch"/>. <see cref="EpochChanged"/> when the reset is about
/// the epoch alone: a reader already in that epoch has nothing to reset.
/// </summary>
internal sealed class ResetFrame : SseFrame
{
    private ResetFrame(long lastSeq, string? epoch, bool epochChanged, byte[] bytes) : base(bytes) =>
        (LastSeq, Epoch, EpochChanged) = (lastSeq, epoch, epochChanged);

    public long LastSeq { get; }

    /// <summary>The room's epoch; null while its log is empty.</summary>
    public string? Epoch { get; }

    public bool EpochChanged { get; }

    public static ResetFrame Of(string roomId, long lastSeq, string? epoch, bool epochChanged) =>
        new(lastSeq, epoch, epochChanged, Encode("event: reset\n", new ResetEvent(roomId, lastSeq, epoch), EventJsonContext.Default.ResetEvent));
}

/// <summary><c>event: expired</c> (no id): the token the stream was opened with has expired; the stream ends after it.</summary>
internal sealed class ExpiredFrame : SseFrame
{
    private ExpiredFrame(byte[] bytes) : base(bytes)
    {
    }

    public static ExpiredFrame Of(string roomId) =>
        new(Encode("event: expired\n", new ExpiredEvent(roomId, "token expired"), EventJsonContext.Default.ExpiredEvent));
}

/// <summary>Bytes that carry no room event: the <c>retry:</c> hint and keep-alive comments.</summary>
internal sealed class ControlFrame : SseFrame
{
    public static readonly ControlFrame KeepAlive = new(": keepalive\n\n"u8.ToArray());

    private ControlFrame(byte[] bytes) : base(bytes)
    {
    }

    public static ControlFrame Retry(int milliseconds) => new(Encoding.UTF8.GetBytes($"retry: {milliseconds}\n\n"));
}

/// <summary>The <c>data</c> of an <c>event: gap</c>.</summary>
internal sealed record GapEvent(string RoomId, long From, long To);

/// <summary>The <c>data</c> of an <c>event: reset</c>.</summary>
internal sealed record ResetEvent(string RoomId, long LastSeq, string? Epoch);

/// <summary>The <c>data</c> of an <c>event: expired</c>.</summary>
internal sealed record ExpiredEvent(string RoomId, string Reason);
