using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Presence;

/// <summary>
/// When a presence grain works. A cluster of its own: another test's rooms, ticking when the clock moves, would
/// read the clock this test counts.
/// </summary>
public sealed class PresenceTickTests(PresenceClusterFixture fixture) : IClassFixture<PresenceClusterFixture>
{
    private static readonly PresenceTerms Terms = new(Lease: TimeSpan.FromSeconds(30), Grace: TimeSpan.FromSeconds(10));
    private static readonly UserPresenceStreams Ann = new(new PresenceUser("ann", "ANN"), [1]);

    [Fact]
    public async Task A_quiet_room_that_is_only_renewed_does_no_tick_work_and_its_lease_still_ends_on_time()
    {
        var (room, events) = await fixture.NewRoomAsync();
        await room.Report("a", new PresenceDelta([Ann], [], 0), Terms);
        await Eventually.TrueAsync(() => events.Moves.SequenceEqual(["+ann"]), "ann joined");

        for (var i = 0; i < 3; i++)
        {
            fixture.Clock.Advance(Terms.Lease / 3);
            await room.Renew("a", new NodePresence([Ann], 0), Terms);

            // Absence of work needs a window: a grain ticking as before would read the clock 5 times in it.
            var reads = fixture.Clock.Reads;
            await Task.Delay(PresenceGrain.TickInterval * 5);
            Assert.Equal(reads, fixture.Clock.Reads);
        }

        // The node stops renewing. Nothing calls the grain any more: only its deadline can end the lease.
        fixture.Clock.Advance(Terms.Lease - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await room.GetPresence()).Presence.Count);
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => events.Moves.SequenceEqual(["+ann", "-ann"]), "ann left when the lease ended");
    }
}
