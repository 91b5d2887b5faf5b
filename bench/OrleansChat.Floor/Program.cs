using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

// The .NET floor of docs/benchmarks.md: the least an ASP.NET Core server does for the bench's fan-out, with the same
// defaults as the API (Web SDK, Server GC) and enough of docs/api.md for the load generator — rooms in a dictionary,
// each post written to every subscriber's bounded channel, SSE out. No Orleans, no storage, no history, no resume.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var rooms = new ConcurrentDictionary<string, Room>(StringComparer.Ordinal);

app.MapGet("/healthz", () => TypedResults.Ok());
app.MapGet("/readyz", () => TypedResults.Ok());
app.MapPost("/rooms/{roomId}/messages", (string roomId, PostBody body) =>
{
    var message = rooms.GetOrAdd(roomId, _ => new Room()).Post(roomId, body);
    return TypedResults.Created($"/rooms/{roomId}/messages/{message.Seq}", message);
});
app.MapGet("/rooms/{roomId}/events", async (string roomId, HttpContext http, CancellationToken cancellationToken) =>
{
    var room = rooms.GetOrAdd(roomId, _ => new Room());
    var frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1024) { SingleReader = true });
    http.Response.ContentType = "text/event-stream";
    room.Join(frames.Writer);
    try
    {
        // Headers out only once joined: a client that sees the stream open gets every later post.
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
        while (await frames.Reader.WaitToReadAsync(cancellationToken))
        {
            while (frames.Reader.TryRead(out var frame))
            {
                http.Response.BodyWriter.Write(frame);
            }

            await http.Response.BodyWriter.FlushAsync(cancellationToken);
        }
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
    }
    finally
    {
        room.Leave(frames.Writer);
    }
});
app.Run();

internal sealed record PostBody(string UserId, string Text);

internal sealed record Message(string RoomId, long Seq, string UserId, string Text, DateTimeOffset CreatedAt);

/// <summary>A room: its seq and subscribers; one lock orders the seqs and every subscriber's frames alike.</summary>
internal sealed class Room
{
    private readonly Lock _lock = new();
    private ChannelWriter<byte[]>[] _subscribers = [];
    private long _seq;

    public void Join(ChannelWriter<byte[]> subscriber)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscriber];
        }
    }

    public void Leave(ChannelWriter<byte[]> subscriber)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscriber)];
        }
    }

    public Message Post(string roomId, PostBody body)
    {
        lock (_lock)
        {
            var message = new Message(roomId, ++_seq, body.UserId, body.Text, DateTimeOffset.UtcNow);
            var json = JsonSerializer.Serialize(message, JsonSerializerOptions.Web);
            var frame = Encoding.UTF8.GetBytes($"id: {message.Seq}\nevent: chat\ndata: {json}\n\n");
            foreach (var subscriber in _subscribers)
            {
                // A full channel is a client too slow to keep up: it is ended, as the API does.
                if (!subscriber.TryWrite(frame))
                {
                    subscriber.TryComplete();
                }
            }

            return message;
        }
    }
}
