namespace OrleansChat.Api.Feeds;

/// <summary>
/// What the cluster's rooms stored since this node last asked: one call for the list of silos, then one per silo
/// (<see cref="ISiloRoomsGrain"/>), whatever the number of rooms.
/// </summary>
internal sealed partial class SiloRoomReports(IClusterClient client, ILogger<SiloRoomReports> logger)
{
    // Per silo process (an address includes its generation): the version its last answer ended at.
    private Dictionary<SiloAddress, long> _versions = [];
    private HashSet<SiloAddress>? _silos;

    /// <summary>
    /// The rooms that changed, and whether the set of silos differs from the previous round's. A silo that does not
    /// answer is asked again from the same version next round.
    /// </summary>
    public async Task<(bool SilosChanged, List<RoomInfo> Rooms)> CollectAsync()
    {
        var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var silos = hosts.Keys.ToHashSet();
        var silosChanged = _silos is not null && !_silos.SetEquals(silos);
        _silos = silos;

        var answers = await Task.WhenAll(silos.Select(AskAsync));
        var versions = new Dictionary<SiloAddress, long>();
        var rooms = new List<RoomInfo>();
        foreach (var (silo, changes) in answers)
        {
            versions[silo] = changes?.Version ?? _versions.GetValueOrDefault(silo);
            rooms.AddRange(changes?.Rooms ?? []);
        }

        _versions = versions;
        return (silosChanged, rooms);
    }

    private async Task<(SiloAddress Silo, RoomChanges? Changes)> AskAsync(SiloAddress silo)
    {
        try
        {
            var since = _versions.GetValueOrDefault(silo);
            return (silo, await SiloPinnedCalls.OnSiloAsync(silo, () => client.GetGrain<ISiloRoomsGrain>(silo.ToParsableString()).ChangedSince(since)));
        }
        catch (Exception exception)
        {
            LogAskFailed(logger, exception, silo.ToString());
            return (silo, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not say which of its rooms changed; asking again next round.")]
    private static partial void LogAskFailed(ILogger logger, Exception exception, string silo);
}
