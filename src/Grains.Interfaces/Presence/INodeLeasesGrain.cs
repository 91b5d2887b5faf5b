namespace OrleansChat;

/// <summary>
/// One per silo, keyed by the silo's address (<c>SiloAddress.ToParsableString()</c>) and placed on it by the caller's
/// placement hint: the API nodes' presence leases on that silo. A node renews its lease with each silo once per third
/// of a lease period, and every room's presence grain on the silo counts the node's streams while that lease runs,
/// so a quiet room costs no call.
/// </summary>
[Alias("chat.INodeLeasesGrain")]
public interface INodeLeasesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Renews node <paramref name="nodeId"/>'s lease on this silo for <see cref="PresenceTerms.Lease"/>. Answers whether
    /// the lease was still running: when it was not, the silo's presence grains may have dropped the node's streams.
    /// </summary>
    [Alias("Renew")]
    Task<bool> Renew(string nodeId, PresenceTerms terms);
}
