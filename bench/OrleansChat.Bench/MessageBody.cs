using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>
/// The JSON body of a post or an edit: <c>{"userId":"…","text":"&lt;19-digit due timestamp&gt; &lt;tag&gt;xxx…"}</c>, the text
/// <c>size</c> characters long. The text starts with the stopwatch timestamp at which the request was due, so a
/// subscriber in this process measures request→delivery on one clock; it needs no JSON escaping, so its bytes are
/// the same in every answer and frame that carries it.
/// </summary>
internal static class MessageBody
{
    public static byte[] Json(string userId, long due, string tag, int size)
    {
        var prefix = Encoding.UTF8.GetBytes($"{{\"userId\":\"{userId}\",\"text\":\"");
        var body = new byte[prefix.Length + size + 2];
        prefix.CopyTo(body, 0);
        Utf8Formatter.TryFormat(due, body.AsSpan(prefix.Length, 19), out _, new StandardFormat('D', 19));
        body[prefix.Length + 19] = (byte)' ';
        var written = Encoding.ASCII.GetBytes(tag.AsSpan(0, Math.Min(tag.Length, size - 20)), body.AsSpan(prefix.Length + 20));
        body.AsSpan(prefix.Length + 20 + written, size - 20 - written).Fill((byte)'x');
        "\"}"u8.CopyTo(body.AsSpan(body.Length - 2));
        return body;
    }

    /// <summary>The text of a body made by <see cref="Json"/>.</summary>
    public static ReadOnlySpan<byte> Text(byte[] body, int size) => body.AsSpan(body.Length - 2 - size, size);
}
