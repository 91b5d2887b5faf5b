namespace OrleansChat.Api.Presence;

/// <summary>
/// Renews this node's presence lease with every silo (<see cref="INodeLeasesGrain"/>): one call for the list of
/// silos, then one per silo, whatever the number of rooms. It tells when the rooms' presence grains may have lost
/// what this node told them: a silo that answered before is gone (its grains' state with it), or its lease on a
/// silo ran out (renewals failed for a whole lease period).
/// </summary>
internal sealed partial class SiloLeaseRenewals(IGrainFactory grains, ILogger<SiloLeaseRenewals> logger)
{
    // The silos of the last round (an address includes its generation), and those known to hold this node's lease.
    private HashSet<SiloAddress> _silos = [];
    private HashSet<SiloAddress> _leased = [];

    /// <summary>Renews the lease everywhere; true when every room must be renewed in full.</summary>
    public async Task<bool> RenewAsync(string nodeId, PresenceTerms terms)
    {
        HashSet<SiloAddress> silos;
        try
        {
            silos = [.. (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys];
        }
        catch (Exception exception)
        {
            LogSilosUnknown(logger, exception);
            return false;
        }

        var answers = await Task.WhenAll(silos.Select(silo => RenewWithAsync(silo, nodeId, terms)));
        var lost = !_silos.IsSubsetOf(silos);
        var leased = new HashSet<SiloAddress>();
        foreach (var (silo, running) in answers)
        {
            switch (running)
            {
                case true:
                    leased.Add(silo);
                    break;
                case false:
                    // New to this silo, or its lease there ran out while renewals failed.
                    lost |= _leased.Contains(silo);
                    leased.Add(silo);
                    break;
                case null when _leased.Contains(silo):
                    // No answer: whether the lease ran out shows at the silo's next answer.
                    leased.Add(silo);
                    break;
            }
        }

        _silos = silos;
        _leased = leased;
        return lost;
    }

    /// <summary>Whether the silo's lease was still running, or null when the silo did not answer.</summary>
    private async Task<(SiloAddress Silo, bool? Running)> RenewWithAsync(SiloAddress silo, string nodeId, PresenceTerms terms)
    {
        try
        {
            return (silo, await SiloPinnedCalls.OnSiloAsync(silo, () => grains.GetGrain<INodeLeasesGrain>(silo.ToParsableString()).Renew(nodeId, terms)));
        }
        catch (Exception exception)
        {
            LogRenewFailed(logger, exception, silo.ToString());
            return (silo, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the silos to renew this node's presence lease with; trying again next round.")]
    private static partial void LogSilosUnknown(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew this node's presence lease with silo {Silo}; trying again next round.")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string silo);
}
