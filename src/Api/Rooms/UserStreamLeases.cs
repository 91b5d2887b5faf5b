using Microsoft.Extensions.Options;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Auth;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// This node's leases on its users' open event streams, held in each user's <see cref="IUserStreamsGrain"/>: one
/// grain call when a stream opens, one when it ends, and every third of a lease period one renewal per user with
/// open streams here, so the cluster stops counting them within a lease period of this node dying.
/// </summary>
/// <remarks>
/// The calls of one user from this node run one at a time, so the grain sees them in the order the node made them:
/// a renewal always carries every stream the grain granted before it and none that ended before it.
/// </remarks>
internal sealed partial class UserStreamLeases(
    IGrainFactory grains,
    IOptions<SseOptions> sseOptions,
    IOptions<ChatAuthOptions> authOptions,
    TimeProvider time,
    ILogger<UserStreamLeases> logger) : BackgroundService
{
    private const int ConcurrentRenewals = 32;

    private readonly TimeSpan _leasePeriod = TimeSpan.FromSeconds(sseOptions.Value.StreamLeaseSeconds);
    private readonly int _maxStreams = authOptions.Value.MaxStreamsPerUser;
    private readonly Dictionary<string, UserLeases> _users = [];
    private long _lastStreamId;

    /// <summary>Names this node's leases; a restarted node is a new one, whose predecessor's leases simply expire.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public int MaxStreamsPerUser => _maxStreams;

    /// <summary>A lease on one more stream of <paramref name="userId"/>, or the user's open count when at the cap.</summary>
    public async Task<(IAsyncDisposable? Lease, int OpenStreams)> TryAcquireAsync(string userId)
    {
        var user = Enter(userId);
        var granted = false;
        try
        {
            await user.Gate.WaitAsync();
            try
            {
                var lease = new StreamLease(NodeId, Interlocked.Increment(ref _lastStreamId));
                var grant = await grains.GetGrain<IUserStreamsGrain>(userId).TryAcquire(lease, _maxStreams, _leasePeriod);
                if (!grant.Granted)
                {
                    return (null, grant.OpenStreams);
                }

                user.Streams.Add(lease.StreamId);
                granted = true;
                return (new Held(this, userId, lease), grant.OpenStreams);
            }
            finally
            {
                user.Gate.Release();
            }
        }
        finally
        {
            // A granted lease keeps its user entered until it is released.
            if (!granted)
            {
                Exit(userId, user);
            }
        }
    }

    private async Task ReleaseAsync(string userId, StreamLease lease)
    {
        var user = Enter(userId);
        try
        {
            await user.Gate.WaitAsync();
            try
            {
                user.Streams.Remove(lease.StreamId);
                await grains.GetGrain<IUserStreamsGrain>(userId).Release(lease);
            }
            catch (Exception exception) when (ClusterFailure.Is(exception))
            {
                // The next renewal leaves the stream out, or the lease expires with this node's.
                LogReleaseFailed(logger, exception, userId);
            }
            finally
            {
                user.Gate.Release();
            }
        }
        finally
        {
            Exit(userId, user);
            Exit(userId, user);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_leasePeriod / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RenewAllAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One renewal per user with a stream open here.</summary>
    internal async Task RenewAllAsync(CancellationToken cancellationToken)
    {
        KeyValuePair<string, UserLeases>[] users;
        lock (_users)
        {
            users = [.. _users];
            foreach (var (_, user) in users)
            {
                user.Holds++;
            }
        }

        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = ConcurrentRenewals, CancellationToken = cancellationToken },
            async (entry, _) =>
            {
                var (userId, user) = entry;
                try
                {
                    await user.Gate.WaitAsync(CancellationToken.None);
                    try
                    {
                        if (user.Streams.Count > 0)
                        {
                            await grains.GetGrain<IUserStreamsGrain>(userId).Renew(NodeId, [.. user.Streams], _leasePeriod);
                        }
                    }
                    catch (Exception exception) when (ClusterFailure.Is(exception))
                    {
                        LogRenewFailed(logger, exception, userId);
                    }
                    finally
                    {
                        user.Gate.Release();
                    }
                }
                finally
                {
                    Exit(userId, user);
                }
            });
    }

    /// <summary>The user's entry, held (not removed) until the matching <see cref="Exit"/>.</summary>
    private UserLeases Enter(string userId)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(userId, out var user))
            {
                _users[userId] = user = new UserLeases();
            }

            user.Holds++;
            return user;
        }
    }

    private void Exit(string userId, UserLeases user)
    {
        lock (_users)
        {
            if (--user.Holds == 0)
            {
                _users.Remove(userId);
                user.Gate.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release an event stream lease of user {UserId}; it stops counting at the next renewal.")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the event stream leases of user {UserId}; the next renewal tries again.")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string userId);

    /// <summary>
    /// One user's streams on this node. <see cref="Holds"/> (under the dictionary's lock) counts the open streams and
    /// the calls in flight, so the entry lives exactly as long as someone needs it; <see cref="Streams"/> changes
    /// only under <see cref="Gate"/>.
    /// </summary>
    private sealed class UserLeases
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public HashSet<long> Streams { get; } = [];

        public int Holds { get; set; }
    }

    private sealed class Held(UserStreamLeases leases, string userId, StreamLease lease) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _released, 1) == 0 ? new ValueTask(leases.ReleaseAsync(userId, lease)) : ValueTask.CompletedTask;
    }
}
