using Orleans.Concurrency;

namespace OrleansChat;

/// <summary>
/// Renews API nodes' presence leases in <see cref="NodeLeases"/>, the table of the silo it runs on. Its key names that
/// silo: an activation anywhere else (the named silo is gone, so the placement hint was ignored) refuses to start
/// rather than vouch for nodes to another silo's grains.
/// </summary>
[Reentrant]
internal sealed class NodeLeasesGrain(NodeLeases leases, ILocalSiloDetails silo) : Grain, INodeLeasesGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var here = silo.SiloAddress.ToParsableString();
        if (this.GetPrimaryKeyString() != here)
        {
            throw new InvalidOperationException($"The node leases of silo {this.GetPrimaryKeyString()} cannot be kept on {here}.");
        }

        return Task.CompletedTask;
    }

    public Task<bool> Renew(string nodeId, PresenceTerms terms) => Task.FromResult(leases.Renew(nodeId, terms.Lease));
}
