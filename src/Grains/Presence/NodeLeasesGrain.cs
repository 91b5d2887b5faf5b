using Orleans.Concurrency;

namespace OrleansChat;

/// <summary>
/// Renews API nodes' presence leases in <see cref="NodeLeases"/>, the table of the silo its key names.
/// </summary>
[Reentrant]
internal sealed class NodeLeasesGrain(NodeLeases leases, ILocalSiloDetails silo) : SiloPinnedGrain(silo), INodeLeasesGrain
{
    public Task<bool> Renew(string nodeId, PresenceTerms terms) => Task.FromResult(leases.Renew(nodeId, terms.Lease));
}
