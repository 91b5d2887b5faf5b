using Orleans.Concurrency;

namespace OrleansChat;

/// <summary>
/// Answers for the rooms of the silo its key names, from that silo's <see cref="HostedRooms"/>.
/// </summary>
[Reentrant]
internal sealed class SiloRoomsGrain(HostedRooms rooms, ILocalSiloDetails silo) : SiloPinnedGrain(silo), ISiloRoomsGrain
{
    public Task<RoomChanges> ChangedSince(long version) => Task.FromResult(rooms.ChangedSince(version));
}
