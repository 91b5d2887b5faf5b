using Microsoft.Extensions.Time.Testing;

namespace OrleansChat.Tests.Presence;

/// <summary>How a room's node entries end, between the node's lease in the room and its lease on the silo.</summary>
public sealed class RoomMembersTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly UserPresenceStreams Ann = new(new PresenceUser("ann", null), [1]);
    private readonly FakeTimeProvider _clock = new();
    private readonly NodeLeases _leases;
    private readonly RoomMembers _members;

    public RoomMembersTests()
    {
        _leases = new NodeLeases(_clock);
        _members = new RoomMembers(_leases) { Grace = TimeSpan.FromSeconds(10) };
    }

    private DateTimeOffset Now => _clock.GetUtcNow();

    [Fact]
    public void A_node_with_streams_counts_while_its_silo_lease_runs_and_that_lease_is_the_rooms_deadline_no_more()
    {
        _members.Apply("a", new PresenceDelta([Ann], [], 0), Now, Now + Lease);
        _leases.Renew("a", Lease + TimeSpan.FromSeconds(5));
        Assert.Null(_members.NextDeadline);

        _clock.Advance(Lease);
        _members.Expire(Now);
        Assert.Equal(1, _members.Snapshot("room").Count);

        _clock.Advance(TimeSpan.FromSeconds(5));
        _members.Expire(Now);
        Assert.Equal(0, _members.Snapshot("room").Count);
    }

    [Fact]
    public void A_node_that_holds_nothing_in_the_room_ends_with_its_lease_in_the_room_so_that_an_emptied_room_can_go()
    {
        var start = Now;
        _leases.Renew("a", Lease * 10);
        _members.Apply("a", new PresenceDelta([Ann], [], 0), Now, Now + Lease);
        _members.TakeChanges();
        _members.Apply("a", new PresenceDelta([], [Ann], 0), Now, Now + Lease);
        _clock.Advance(_members.Grace!.Value);
        _members.Expire(Now);
        Assert.NotNull(_members.TakeChanges());
        Assert.Equal(start + Lease, _members.NextDeadline);

        _clock.Advance(Lease - _members.Grace.Value);
        _members.Expire(Now);

        Assert.True(_members.IsEmpty);
    }

    [Fact]
    public void When_a_silo_lease_ends_every_watcher_is_poked_after_it_reads_as_ended()
    {
        var seen = new List<DateTimeOffset?>();
        using var watch = _leases.Watch(() => seen.Add(_leases.EndOf("a")));
        _leases.Renew("a", Lease);
        _clock.Advance(Lease / 2);
        _leases.Renew("a", Lease);
        _clock.Advance(Lease / 2);
        Assert.Empty(seen);

        _clock.Advance(Lease / 2);

        Assert.Equal(new DateTimeOffset?[] { null }, seen);
    }
}
