using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OrleansChat.Api.Hosting;

namespace OrleansChat.Api.Sse;

/// <summary>The <c>data</c> of an <c>event: gap</c>: messages from..to are gone from history.</summary>
internal sealed record GapEvent(string RoomId, long From, long To);

/// <summary>The <c>data</c> of an <c>event: reset</c>: the room is behind the client's resume point.</summary>
internal sealed record ResetEvent(string RoomId, long LastSeq);

/// <summary>
/// One SSE event as UTF-8 bytes, encoded once and shared by every connection that writes it.
/// </summary>
/// <remarks>
/// Encoded here rather than with <c>SseFormatter</c>, which writes a whole <c>IAsyncEnumerable</c> to one stream:
/// a node must encode each message once and hand the same bytes to thousands of connections, and it also writes
/// comment lines and a bare <c>retry:</c> field that <c>SseItem</c> cannot express. Data is always single-line
/// JSON (the serializer escapes line breaks), so each event is exactly <c>id</c>/<c>event</c>/<c>data</c>.
/// </remarks>
internal sealed class SseFrame
{
    public static readonly SseFrame KeepAlive = new(0, ": keepalive\n\n"u8.ToArray());

    // For a frame of several consecutive chat events: where each event starts in Bytes.
    private readonly int[]? _offsets;

    private SseFrame(long seq, byte[] bytes, ChatMessage? message = null, long firstSeq = 0, int[]? offsets = null, long gapTo = 0)
    {
        Seq = seq;
        GapTo = gapTo;
        FirstSeq = firstSeq == 0 ? seq : firstSeq;
        Bytes = bytes;
        Message = message;
        _offsets = offsets;
    }

    /// <summary>The (last) message's seq, or 0 for frames that carry no message.</summary>
    public long Seq { get; }

    /// <summary>The first message's seq: <see cref="Seq"/> unless the frame holds several chat events.</summary>
    public long FirstSeq { get; }

    /// <summary>For an <c>event: gap</c>, the last seq it announces as gone; otherwise 0.</summary>
    public long GapTo { get; }

    /// <summary>The message a single chat frame was encoded from.</summary>
    public ChatMessage? Message { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The bytes of the chat events with a seq above <paramref name="written"/> (all of them if none is).</summary>
    public ReadOnlyMemory<byte> After(long written) =>
        written < FirstSeq || _offsets is null ? Bytes : Bytes[_offsets[(int)(written - FirstSeq + 1)]..];

    /// <summary>
    /// One frame for consecutive chat frames, so a batch costs each connection one queue entry and one write.
    /// </summary>
    public static SseFrame Concat(IReadOnlyList<SseFrame> chats)
    {
        if (chats.Count == 1)
        {
            return chats[0];
        }

        var offsets = new int[chats.Count];
        var length = 0;
        for (var i = 0; i < chats.Count; i++)
        {
            if (i > 0 && chats[i].Seq != chats[i - 1].Seq + 1)
            {
                throw new ArgumentException("Chat frames must have consecutive seqs.", nameof(chats));
            }

            offsets[i] = length;
            length += chats[i].Bytes.Length;
        }

        var bytes = new byte[length];
        for (var i = 0; i < chats.Count; i++)
        {
            chats[i].Bytes.Span.CopyTo(bytes.AsSpan(offsets[i]));
        }

        return new SseFrame(chats[^1].Seq, bytes, firstSeq: chats[0].Seq, offsets: offsets);
    }

    public static SseFrame Retry(int milliseconds) => new(0, Encoding.UTF8.GetBytes($"retry: {milliseconds}\n\n"));

    public static SseFrame Chat(ChatMessage message) =>
        Encode(message.Seq, $"id: {message.Seq}\nevent: chat\n", message, ChatJsonContext.Default.ChatMessage, message);

    public static SseFrame Gap(string roomId, long from, long to) =>
        Encode(0, "event: gap\n", new GapEvent(roomId, from, to), ChatJsonContext.Default.GapEvent, gapTo: to);

    public static SseFrame Reset(string roomId, long lastSeq) =>
        Encode(0, "event: reset\n", new ResetEvent(roomId, lastSeq), ChatJsonContext.Default.ResetEvent);

    private static SseFrame Encode<T>(long seq, string fields, T data, JsonTypeInfo<T> typeInfo, ChatMessage? message = null, long gapTo = 0)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Encoding.UTF8.GetBytes(fields));
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, data, typeInfo);
        }

        buffer.Write("\n\n"u8);
        return new SseFrame(seq, buffer.WrittenSpan.ToArray(), message, gapTo: gapTo);
    }
}
