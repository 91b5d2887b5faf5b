using Microsoft.Extensions.Logging.Abstractions;
using OrleansChat.Api.Presence;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Presence;

/// <summary>
/// A node keeps its streams counting in every room by renewing one lease per silo, so a quiet room is never called;
/// when that lease ends unrenewed (the node died), its users leave as they did when rooms were renewed one by one.
/// </summary>
public sealed class NodeLeaseTests(PresenceClusterFixture fixture) : IClassFixture<PresenceClusterFixture>
{
    private static readonly PresenceTerms Terms = new(Lease: TimeSpan.FromSeconds(30), Grace: TimeSpan.FromSeconds(10));

    private static PresenceDelta Open(string userId, long stream) => new([new UserPresenceStreams(new PresenceUser(userId, null), [stream])], [], 0);

    private static string NewNode() => $"node-{Guid.NewGuid():N}";

    private SiloLeaseRenewals NewRenewals() => new(fixture.Grains, NullLogger<SiloLeaseRenewals>.Instance);

    [Fact]
    public async Task A_node_renewing_only_with_the_silos_keeps_its_users_in_a_quiet_room_until_its_silo_lease_ends()
    {
        var (room, events) = await fixture.NewRoomAsync();
        var node = NewNode();
        var renewals = NewRenewals();
        await renewals.RenewAsync(node, Terms);
        await room.Report(node, Open("ann", 1), Terms);
        await Eventually.TrueAsync(() => events.Moves.SequenceEqual(["+ann"]), "ann joined");

        // Five rounds: the room's own lease from the report ended long ago, and the room is never called.
        for (var i = 0; i < 5; i++)
        {
            fixture.Clock.Advance(Terms.Lease / 3);
            Assert.False(await renewals.RenewAsync(node, Terms));
        }

        // The node dies. Just before its silo lease ends a sentinel joins: a leave of ann would have come before it.
        fixture.Clock.Advance(Terms.Lease - TimeSpan.FromSeconds(1));
        await room.Report(NewNode(), Open("sentinel", 2), Terms);
        await Eventually.TrueAsync(() => events.Moves.SequenceEqual(["+ann", "+sentinel"]), $"the sentinel joined alone (moves [{string.Join(",", events.Moves)}])");

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => events.Moves.SequenceEqual(["+ann", "+sentinel", "-ann"]), "ann left when the node's silo lease ended");
        Assert.Equal(["sentinel"], (await room.GetPresence()).Presence.Members.Select(m => m.UserId));
    }

    [Fact]
    public async Task A_lease_that_ran_out_on_a_silo_while_renewals_failed_asks_for_every_room_to_be_renewed()
    {
        var node = NewNode();
        var renewals = NewRenewals();
        Assert.False(await renewals.RenewAsync(node, Terms));
        fixture.Clock.Advance(Terms.Lease / 3);
        Assert.False(await renewals.RenewAsync(node, Terms));

        fixture.Clock.Advance(Terms.Lease);

        Assert.True(await renewals.RenewAsync(node, Terms));
        Assert.False(await renewals.RenewAsync(node, Terms));
    }
}
