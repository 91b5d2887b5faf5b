using System.Collections.Concurrent;
using OrleansChat.Api.Events;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// History for the replays of a node's connections: from the node's encoded frames when they hold the next seq, so
/// a herd resuming what the node delivered costs the room one small call each; otherwise from the room, one call
/// per page however many connections ask for it at once.
/// </summary>
internal sealed class SharedRoomPages(IRoomGrain room, FrameCache cache) : IRoomPages
{
    private readonly ConcurrentDictionary<long, Task<EventPage>> _reads = new();

    public async Task<RoomPage> ReadAfterAsync(string? epoch, long seq)
    {
        if (cache.Find(epoch, seq + 1) is { } next)
        {
            // The room still says where its history starts and ends, and which log it is, so gaps and resets are told
            // as from history.
            var info = await room.GetInfo();
            if (info.Epoch == next.Epoch)
            {
                return new RoomPage(info.LastSeq, info.FirstRetainedSeq, info.Epoch, Cached(next.Epoch, seq));
            }
        }

        return cache.Encode(await SharedReadAsync(seq));
    }

    private List<ChatFrame> Cached(string epoch, long seq)
    {
        var frames = new List<ChatFrame>();
        while (frames.Count < ChatLimits.MaxPageSize && cache.Find(epoch, seq + frames.Count + 1) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    private Task<EventPage> SharedReadAsync(long seq)
    {
        while (true)
        {
            if (_reads.TryGetValue(seq, out var pending))
            {
                return pending;
            }

            var read = new TaskCompletionSource<EventPage>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reads.TryAdd(seq, read.Task))
            {
                _ = ReadIntoAsync(seq, read);
                return read.Task;
            }
        }
    }

    private async Task ReadIntoAsync(long seq, TaskCompletionSource<EventPage> read)
    {
        EventPage? page = null;
        Exception? failure = null;
        try
        {
            page = await room.GetEvents(seq, ChatLimits.MaxPageSize);
        }
        catch (Exception exception)
        {
            failure = exception;
        }

        // Gone before it completes: whoever asks once the page is out reads afresh, never a finished read.
        _reads.TryRemove(new KeyValuePair<long, Task<EventPage>>(seq, read.Task));
        if (failure is null)
        {
            read.SetResult(page!);
        }
        else
        {
            read.SetException(failure);
        }
    }
}

/// <summary>
/// History for the node's feed when it fills a hole: always a fresh read, since a shared read that started before
/// the hole's messages were stored could look like "nothing more" and end the catch-up early.
/// </summary>
internal sealed class FreshRoomPages(IRoomGrain room, FrameCache cache) : IRoomPages
{
    public async Task<RoomPage> ReadAfterAsync(string? epoch, long seq) =>
        cache.Encode(await room.GetEvents(seq, ChatLimits.MaxPageSize));
}
