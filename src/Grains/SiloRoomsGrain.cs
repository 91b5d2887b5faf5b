using Orleans.Concurrency;

namespace OrleansChat;

/// <summary>
/// Answers for the rooms of the silo it runs on, from <see cref="HostedRooms"/>. Its key names that silo: an
/// activation anywhere else (the named silo is gone, so the placement hint was ignored) refuses to start rather than
/// answer for another silo's rooms.
/// </summary>
[Reentrant]
internal sealed class SiloRoomsGrain(HostedRooms rooms, ILocalSiloDetails silo) : Grain, ISiloRoomsGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var here = silo.SiloAddress.ToParsableString();
        if (this.GetPrimaryKeyString() != here)
        {
            throw new InvalidOperationException($"The rooms of silo {this.GetPrimaryKeyString()} cannot be answered for on {here}.");
        }

        return Task.CompletedTask;
    }

    public Task<RoomChanges> ChangedSince(long version) => Task.FromResult(rooms.ChangedSince(version));
}
