using OrleansChat.Api.Presence;

namespace OrleansChat.Tests.Presence;

public sealed class NodeRoomStreamsTests
{
    private static readonly PresenceUser Ann = new("ann", "Ann");
    private static readonly PresenceUser Bob = new("bob", null);

    [Fact]
    public void A_report_carries_the_opens_and_closes_since_the_last_one_and_a_stream_opened_and_closed_between_two_is_in_neither()
    {
        var room = new NodeRoomStreams();
        room.Open(Ann, 1);
        room.Open(Ann, 2);
        room.Open(null, 3);
        var first = room.TakeDelta()!;
        Assert.Equal([1L, 2], Assert.Single(first.Opened).StreamIds);
        Assert.Equal(1, first.AnonymousChange);

        room.Open(Bob, 4);
        room.Close(Bob, 4);
        room.Close(Ann, 1);
        var second = room.TakeDelta()!;
        Assert.Empty(second.Opened);
        var closed = Assert.Single(second.Closed);
        Assert.Equal(Ann, closed.User);
        Assert.Equal([1L], closed.StreamIds);
        Assert.Null(room.TakeDelta());
    }

    [Fact]
    public void A_renewal_carries_everything_open_and_leaves_no_changes_behind()
    {
        var room = new NodeRoomStreams { NeedsRenewal = true };
        room.Open(Ann, 1);
        room.Open(Bob, 2);
        room.Close(Bob, 2);
        room.Open(null, 3);

        var all = room.TakeAll();
        Assert.Equal([1L], Assert.Single(all.Users, u => u.User == Ann).StreamIds);
        Assert.DoesNotContain(all.Users, u => u.User == Bob);
        Assert.Equal(1, all.Anonymous);
        Assert.False(room.NeedsRenewal);
        Assert.Null(room.TakeDelta());

        room.Close(Ann, 1);
        room.Close(null, 3);
        Assert.False(room.IsIdle, "the closes are still to be reported");
        Assert.NotNull(room.TakeDelta());
        Assert.True(room.IsIdle);
    }
}
