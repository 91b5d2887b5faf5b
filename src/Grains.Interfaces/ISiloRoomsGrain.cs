namespace OrleansChat;

/// <summary>
/// One per silo, keyed by the silo's address (<c>SiloAddress.ToParsableString()</c>) and placed on it by the caller's
/// placement hint: where each room the silo hosts stands. An API node learns which rooms stored something from one
/// call per silo, instead of asking each room it follows.
/// </summary>
[Alias("chat.ISiloRoomsGrain")]
public interface ISiloRoomsGrain : IGrainWithStringKey
{
    /// <summary>The rooms hosted here whose state changed after <paramref name="version"/> (0: all of them).</summary>
    [Alias("ChangedSince")]
    Task<RoomChanges> ChangedSince(long version);
}

/// <summary>
/// Rooms of one silo as they stood when asked, and the <see cref="Version"/> to ask from next time. Versions count the
/// changes of one silo process; another silo, or the same one restarted, is another key.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-changes")]
public sealed record RoomChanges(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<RoomInfo> Rooms);
