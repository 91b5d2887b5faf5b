using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Feeds;

/// <summary><c>Chat:Feed</c>: each node's shared subscription to a room.</summary>
public sealed class RoomFeedOptions
{
    public const string SectionName = "Chat:Feed";

    /// <summary>
    /// How often a feed compares what it delivered with the room's lastSeq. A feed still behind a seq it already
    /// knew of one check earlier has lost its subscription: it catches up from the room and resubscribes.
    /// </summary>
    [Range(0.05, 3600)]
    public double CheckIntervalSeconds { get; set; } = 5;
}
