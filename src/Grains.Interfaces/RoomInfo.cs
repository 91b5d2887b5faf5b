namespace OrleansChat;

/// <summary>
/// Where a room stands. <see cref="FirstRetainedSeq"/> is the oldest seq still held, or
/// <c>LastSeq + 1</c> when nothing is held (so an empty room reads 0 / 1). <see cref="Epoch"/> names the room's log;
/// it is null while the log is empty.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-info")]
public sealed record RoomInfo(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long LastSeq,
    [property: Id(2)] long FirstRetainedSeq,
    [property: Id(3)] string? Epoch = null);
