using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Presence;

public sealed class PresenceGrainTests(PresenceClusterFixture fixture) : IClassFixture<PresenceClusterFixture>
{
    private static readonly PresenceTerms Terms = new(Lease: TimeSpan.FromSeconds(30), Grace: TimeSpan.FromSeconds(10));
    private static readonly NodePresence Nothing = new([], 0);

    private static PresenceDelta Open(string userId, params long[] streams) => new([Streams(userId, streams)], [], 0);

    private static PresenceDelta Close(string userId, params long[] streams) => new([], [Streams(userId, streams)], 0);

    private static UserPresenceStreams Streams(string userId, params long[] streams) => new(new PresenceUser(userId, userId.ToUpperInvariant()), streams);

    /// <summary>Waits until the stream has carried exactly <paramref name="moves"/> (a sentinel's join proves nothing else is pending).</summary>
    private static Task ExpectMovesAsync(PresenceRecorder events, params string[] moves) =>
        Eventually.TrueAsync(() => events.Moves.SequenceEqual(moves), $"the moves were [{string.Join(",", moves)}] (have [{string.Join(",", events.Moves)}])");

    [Fact]
    public async Task A_first_stream_joins_more_tabs_are_one_member_and_the_last_close_leaves_after_the_grace()
    {
        var (room, events) = await fixture.NewRoomAsync();
        await room.Report("a", Open("ann", 1, 2), Terms);
        await room.Report("b", Open("ann", 7), Terms);
        await ExpectMovesAsync(events, "+ann");
        var presence = (await room.GetPresence()).Presence;
        Assert.Equal(1, presence.Count);
        Assert.Equal(new PresenceMember("ann", "ANN", fixture.Clock.GetUtcNow()), Assert.Single(presence.Members));

        await room.Report("a", Close("ann", 1, 2), Terms);
        await room.Report("b", Close("ann", 7), Terms);
        fixture.Clock.Advance(Terms.Grace - TimeSpan.FromSeconds(1));
        await room.Report("a", Open("sentinel", 3), Terms);
        await ExpectMovesAsync(events, "+ann", "+sentinel");
        Assert.Equal(2, (await room.GetPresence()).Presence.Count);

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpectMovesAsync(events, "+ann", "+sentinel", "-ann");
        Assert.Equal(["sentinel"], (await room.GetPresence()).Presence.Members.Select(m => m.UserId));
    }

    [Fact]
    public async Task A_reconnect_on_another_node_within_the_grace_emits_nothing_and_keeps_since()
    {
        var (room, events) = await fixture.NewRoomAsync();
        await room.Report("a", Open("ann", 1), Terms);
        await ExpectMovesAsync(events, "+ann");
        var since = fixture.Clock.GetUtcNow();

        await room.Report("a", Close("ann", 1), Terms);
        fixture.Clock.Advance(Terms.Grace - TimeSpan.FromSeconds(1));
        await room.Report("b", Open("ann", 5), Terms);
        fixture.Clock.Advance(Terms.Grace);
        await room.Report("b", Open("sentinel", 6), Terms);

        await ExpectMovesAsync(events, "+ann", "+sentinel");
        Assert.Equal(since, (await room.GetPresence()).Presence.Members.Single(m => m.UserId == "ann").Since);
    }

    [Fact]
    public async Task A_node_that_stops_renewing_loses_its_users_after_the_lease_unless_they_are_on_another_node()
    {
        var (room, events) = await fixture.NewRoomAsync();
        await room.Report("dead", Open("ann", 1), Terms);
        await room.Report("dead", Open("bob", 2), Terms);
        await room.Report("dead", new PresenceDelta([], [], 3), Terms);
        await ExpectMovesAsync(events, "+ann", "+bob");
        Assert.Equal(3, (await room.GetPresence()).Presence.Anonymous);

        // bob reconnected to the live node, which renews every third of the lease; the dead node is silent.
        await room.Report("alive", Open("bob", 9), Terms);
        for (var i = 0; i < 2; i++)
        {
            fixture.Clock.Advance(Terms.Lease / 3);
            await room.Renew("alive", new NodePresence([Streams("bob", 9)], 0), Terms);
        }

        fixture.Clock.Advance(Terms.Lease / 3 - TimeSpan.FromSeconds(1));
        await room.Renew("alive", new NodePresence([Streams("bob", 9), Streams("sentinel", 10)], 0), Terms);
        await ExpectMovesAsync(events, "+ann", "+bob", "+sentinel");

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await ExpectMovesAsync(events, "+ann", "+bob", "+sentinel", "-ann");
        var presence = (await room.GetPresence()).Presence;
        Assert.Equal((2, 0), (presence.Count, presence.Anonymous));
    }

    [Fact]
    public async Task A_renewal_replaces_the_nodes_streams_so_a_lost_close_still_leads_to_a_leave()
    {
        var (room, events) = await fixture.NewRoomAsync();
        await room.Report("a", Open("ann", 1), Terms);
        await room.Report("a", Open("bob", 2), Terms);
        await ExpectMovesAsync(events, "+ann", "+bob");

        await room.Renew("a", new NodePresence([Streams("bob", 2)], 0), Terms);
        fixture.Clock.Advance(Terms.Grace);

        await ExpectMovesAsync(events, "+ann", "+bob", "-ann");
    }

    [Fact]
    public async Task The_count_is_exact_while_the_members_listed_are_capped()
    {
        var (room, _) = await fixture.NewRoomAsync();
        var users = Enumerable.Range(0, RoomPresence.MaxMembers + 5).Select(i => Streams($"u{i:D4}", i)).ToArray();
        await room.Report("a", new PresenceDelta(users, [], 0), Terms);

        var presence = (await room.GetPresence()).Presence;
        Assert.Equal(RoomPresence.MaxMembers + 5, presence.Count);
        Assert.Equal(RoomPresence.MaxMembers, presence.Members.Count);
    }

    [Fact]
    public async Task Changes_of_one_interval_go_out_as_one_event_with_the_next_version()
    {
        var (room, events) = await fixture.NewRoomAsync();
        var version = (await room.GetPresence()).Version;
        var users = Enumerable.Range(0, 50).Select(i => Streams($"u{i}", i)).ToArray();
        await room.Report("a", new PresenceDelta(users, [], 0), Terms);

        await Eventually.TrueAsync(() => events.Moves.Length == 50, "the 50 joins arrived");
        var changes = Assert.Single(events.All.OfType<PresenceChanges>());
        Assert.Equal((version + 1, 50), (changes.Version, changes.Count));
        Assert.Equal(version + 1, (await room.GetPresence()).Version);
    }

    [Fact]
    public async Task Typing_is_forwarded_at_most_once_per_user_per_two_seconds()
    {
        var (room, events) = await fixture.NewRoomAsync();
        var ann = new PresenceUser("ann", "Ann");
        await room.Typing(ann);
        await room.Typing(ann);
        await room.Typing(new PresenceUser("bob", null));
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        await room.Typing(ann);
        await room.Typing(ann);
        await room.Typing(new PresenceUser("sentinel", null));

        await Eventually.TrueAsync(() => events.All.OfType<UserTyping>().Any(t => t.User.UserId == "sentinel"), "the sentinel's typing arrived");
        Assert.Equal(["ann", "bob", "ann", "sentinel"], events.All.Cast<UserTyping>().Select(t => t.User.UserId));
    }
}
