using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Feeds;

/// <summary><c>Chat:Feed</c>: each node's shared subscription to a room.</summary>
public sealed class RoomFeedOptions
{
    public const string SectionName = "Chat:Feed";

    /// <summary>
    /// How often the node asks each silo which of its rooms stored something, and compares those rooms' feeds with
    /// the room's lastSeq. A feed still behind a seq it already knew of one check earlier has lost its subscription:
    /// it catches up from the room and resubscribes. A round costs one grain call per silo (and one for the list of
    /// silos), however many rooms the node follows.
    /// </summary>
    [Range(0.05, 3600)]
    public double CheckIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// Live events that follow a delivery within this window wait for its end and go to the room's connections
    /// together, as one frame and one write each (<see cref="DeliveryWindow"/>); 0 delivers every stream event at once.
    /// </summary>
    [Range(0, 1000)]
    public int DeliveryWindowMilliseconds { get; set; } = 20;
}
