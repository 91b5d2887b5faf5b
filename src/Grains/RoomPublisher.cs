using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace OrleansChat;

/// <summary>
/// How a room tells the API nodes what it stored: its silo's table of where its rooms stand (<see cref="HostedRooms"/>,
/// read by the nodes' watchdogs) and its stream, in that order, so a node learns of an append even if the stream loses
/// it. A lost publication is not fatal: the events are durable, and the nodes fill seq gaps from the room.
/// </summary>
internal sealed partial class RoomPublisher(IAsyncStream<RoomStreamEvent> stream, HostedRooms hostedRooms, string roomId, ILogger logger)
{
    /// <summary>The room stands at <paramref name="room"/> without new events: it activated, or reloaded its log.</summary>
    public void Standing(RoomInfo room) => hostedRooms.Stored(room);

    /// <summary>The room deactivated; where it stands is in its log until it activates again.</summary>
    public void Left() => hostedRooms.Left(roomId);

    public async Task PublishAsync(RoomInfo room, string epoch, RoomEvent[] events)
    {
        hostedRooms.Stored(room);
        try
        {
            await stream.OnNextAsync(new RoomEventBatch(epoch, events));
        }
        catch (Exception exception)
        {
            LogPublishFailed(logger, exception, roomId, events[0].Seq, events[^1].Seq);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: publishing seq {FromSeq}..{ToSeq} failed; API nodes will backfill.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string roomId, long fromSeq, long toSeq);
}
