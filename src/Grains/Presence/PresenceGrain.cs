using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace OrleansChat;

/// <summary>
/// A room's presence for the whole cluster (<see cref="IPresenceGrain"/>). In memory only: a grain that lost its
/// state (its silo died) is filled again by the nodes' renewals of every room once they see the silo gone, and those
/// renewals announce nobody within a third of a lease period, since the room's readers saw these members join before.
/// </summary>
/// <remarks>
/// Not reentrant, and the timer does not interleave: each call and each tick is one short turn over one state.
/// Changes collect for one interval and go out as one <see cref="PresenceChanges"/>, so a storm of reconnects costs a
/// handful of stream events; a join and a leave of one user within an interval cancel out. The grain ticks only when
/// it has something to do (<see cref="PresenceTicks"/>): 10,000 quiet rooms must not cost 50,000 turns a second.
/// Nor a call each: the nodes renew their leases with the silo (<see cref="NodeLeases"/>), not with each room, so a
/// quiet room is never called, and it is never collected while it holds anyone, since its state exists nowhere else.
/// </remarks>
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed partial class PresenceGrain(
    [FromKeyedServices(PresenceGrain.ClockKey)] TimeProvider time,
    NodeLeases leases,
    ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    /// <summary>The key of the clock that leases, the grace and typing expire by (as <see cref="UserStreamsGrain.ClockKey"/>).</summary>
    public const string ClockKey = "chat.presence";

    /// <summary>How long changes collect before they are published.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(2);

    private readonly RoomMembers _members = new(leases);
    private readonly Dictionary<string, DateTimeOffset> _lastTyping = [];
    private IAsyncStream<PresenceStreamEvent> _stream = null!;
    private PresenceTicks _ticks = null!;
    private IDisposable _leaseWatch = null!;
    private string _roomId = "";
    private DateTimeOffset _quietUntil;
    private long _version;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _roomId = this.GetPrimaryKeyString();
        _stream = this.GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<PresenceStreamEvent>(StreamId.Create(ChatStreams.PresenceNamespace, _roomId));
        // Versions of another activation must not look like a continuation of this one's.
        _version = Random.Shared.NextInt64(1, long.MaxValue / 2);
        _quietUntil = time.GetUtcNow();
        var tick = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        _ticks = new PresenceTicks(tick, time, TickInterval);
        _leaseWatch = leases.Watch(_ticks.Poke);
        Schedule();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _leaseWatch.Dispose();
        _ticks.Dispose();
        return Task.CompletedTask;
    }

    public Task Report(string nodeId, PresenceDelta delta, PresenceTerms terms)
    {
        var now = Begin(terms);
        _members.Apply(nodeId, delta, now, now + terms.Lease);
        Schedule();
        return Task.CompletedTask;
    }

    public Task Renew(string nodeId, NodePresence streams, PresenceTerms terms)
    {
        var now = Begin(terms);
        _members.Replace(nodeId, streams, now, now + terms.Lease, announce: now >= _quietUntil);
        Schedule();
        return Task.CompletedTask;
    }

    public Task<PresenceView> GetPresence()
    {
        _members.Expire(time.GetUtcNow());
        Schedule();
        return Task.FromResult(new PresenceView(_members.Snapshot(_roomId), _version));
    }

    public async Task Typing(PresenceUser user)
    {
        var now = time.GetUtcNow();
        if (_lastTyping.TryGetValue(user.UserId, out var last) && now - last < TypingInterval)
        {
            return;
        }

        _lastTyping[user.UserId] = now;
        Schedule();
        try
        {
            await _stream.OnNextAsync(new UserTyping(user));
        }
        catch (Exception exception)
        {
            // A typing hint is worth no error: the user's next keystrokes send another.
            LogPublishFailed(logger, exception, _roomId);
        }
    }

    /// <summary>
    /// Brings the state to now. The first terms an activation hears say how long a lost state takes to refill: a
    /// third of a lease, while renewals restore members silently.
    /// </summary>
    private DateTimeOffset Begin(PresenceTerms terms)
    {
        var now = time.GetUtcNow();
        if (_members.Grace is null)
        {
            _quietUntil = now + terms.Lease / 3 + TickInterval;
        }

        _members.Grace = terms.Grace;
        _members.Expire(now);
        return now;
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _ticks.Ticking();
        var now = time.GetUtcNow();
        _members.Expire(now);
        foreach (var (userId, at) in _lastTyping)
        {
            if (now - at >= TypingInterval)
            {
                _lastTyping.Remove(userId);
            }
        }

        if (_members.TakeChanges() is { } changes)
        {
            try
            {
                await _stream.OnNextAsync(changes with { Version = ++_version });
            }
            catch (Exception exception)
            {
                // Readers notice the skipped version and read the whole presence again.
                LogPublishFailed(logger, exception, _roomId);
            }
        }

        if (_members.IsEmpty && _lastTyping.Count == 0)
        {
            DeactivateOnIdle();
            return;
        }

        Schedule();
    }

    /// <summary>
    /// Arms the next tick: soon while changes wait or an empty grain is to go, else when the next lease, grace or
    /// typing pause ends (a typing hint held keeps the grain, so its end is a deadline too).
    /// </summary>
    private void Schedule()
    {
        if (_members.HasChanges || (_members.IsEmpty && _lastTyping.Count == 0))
        {
            _ticks.Soon();
        }

        var next = _members.NextDeadline;
        if (_lastTyping.Count > 0)
        {
            var typingEnds = _lastTyping.Values.Min() + TypingInterval;
            next = next < typingEnds ? next : typingEnds;
        }

        _ticks.At(next);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: could not publish presence changes; readers will refresh.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string roomId);
}
