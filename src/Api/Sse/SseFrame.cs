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

    private SseFrame(long seq, byte[] bytes)
    {
        Seq = seq;
        Bytes = bytes;
    }

    /// <summary>The message's seq, or 0 for frames that carry no message.</summary>
    public long Seq { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    public static SseFrame Retry(int milliseconds) => new(0, Encoding.UTF8.GetBytes($"retry: {milliseconds}\n\n"));

    public static SseFrame Chat(ChatMessage message) =>
        Encode(message.Seq, $"id: {message.Seq}\nevent: chat\n", message, ChatJsonContext.Default.ChatMessage);

    public static SseFrame Gap(string roomId, long from, long to) =>
        Encode(0, "event: gap\n", new GapEvent(roomId, from, to), ChatJsonContext.Default.GapEvent);

    public static SseFrame Reset(string roomId, long lastSeq) =>
        Encode(0, "event: reset\n", new ResetEvent(roomId, lastSeq), ChatJsonContext.Default.ResetEvent);

    private static SseFrame Encode<T>(long seq, string fields, T data, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Encoding.UTF8.GetBytes(fields));
        buffer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(json, data, typeInfo);
        }

        buffer.Write("\n\n"u8);
        return new SseFrame(seq, buffer.WrittenSpan.ToArray());
    }
}
