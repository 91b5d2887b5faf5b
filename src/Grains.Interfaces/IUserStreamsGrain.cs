namespace OrleansChat;

/// <summary>
/// One user's open event streams across the cluster (key = the user id), held as leases from the API nodes: a
/// stream counts while its node keeps renewing, so the streams of a node that died stop counting within a lease
/// period. Each node passes its own lease period, so the grain needs no configuration of its own.
/// </summary>
[Alias("chat.IUserStreamsGrain")]
public interface IUserStreamsGrain : IGrainWithStringKey
{
    /// <summary>Counts <paramref name="lease"/>'s stream, unless the user already holds <paramref name="maxStreams"/>.</summary>
    [Alias("TryAcquire")]
    Task<StreamGrant> TryAcquire(StreamLease lease, int maxStreams, TimeSpan leasePeriod);

    /// <summary>The stream has ended; it no longer counts.</summary>
    [Alias("Release")]
    Task Release(StreamLease lease);

    /// <summary>
    /// All of this user's streams on node <paramref name="nodeId"/>: they replace what the grain held for the node,
    /// which repairs a lost release or a grain that lost its state, and count for another lease period.
    /// </summary>
    [Alias("Renew")]
    Task Renew(string nodeId, long[] streamIds, TimeSpan leasePeriod);
}

/// <summary>One event stream of a user: the API node that serves it and the stream's number on that node.</summary>
[GenerateSerializer, Immutable, Alias("chat.stream-lease")]
public sealed record StreamLease(
    [property: Id(0)] string NodeId,
    [property: Id(1)] long StreamId);

/// <summary>Whether a stream may open, and how many of the user's streams count once it has (or without it).</summary>
[GenerateSerializer, Immutable, Alias("chat.stream-grant")]
public sealed record StreamGrant(
    [property: Id(0)] bool Granted,
    [property: Id(1)] int OpenStreams);
