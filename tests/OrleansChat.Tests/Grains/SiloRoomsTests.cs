using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime.Placement;
using OrleansChat.Api.Feeds;

namespace OrleansChat.Tests.Grains;

/// <summary>Each silo answers for the rooms it hosts, so that a node learns which rooms changed from one call per silo.</summary>
public sealed class SiloRoomsTests(RoomClusterFixture fixture) : IClassFixture<RoomClusterFixture>
{
    private IRoomGrain Room(string id) => fixture.Grains.GetGrain<IRoomGrain>(id);

    [Fact]
    public async Task Each_silo_answers_for_its_own_rooms_and_a_later_round_reports_only_the_rooms_that_stored_since()
    {
        var rooms = Enumerable.Range(0, 20).Select(_ => $"silo-rooms-{Guid.NewGuid():N}").ToArray();
        await Task.WhenAll(rooms.Select(room => Room(room).Post(new PostMessage("ann", "first", null))));

        var silos = (await fixture.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.ToArray();
        var answers = await Task.WhenAll(silos.Select(silo => AskAsync(silo, 0)));
        var perSilo = answers.Select(answer => answer.Rooms.Select(r => r.RoomId).Intersect(rooms).ToHashSet()).ToArray();
        Assert.Equal(2, silos.Length);
        Assert.All(perSilo, hosted => Assert.NotEmpty(hosted));
        Assert.Empty(perSilo[0].Intersect(perSilo[1]));
        Assert.Equal(rooms.Order(), perSilo.SelectMany(hosted => hosted).Order());

        var reports = new SiloRoomReports(fixture.Cluster.Client, NullLogger<SiloRoomReports>.Instance);
        var (_, first) = await reports.CollectAsync();
        var firstOfOurs = first.Where(r => rooms.Contains(r.RoomId)).ToArray();
        Assert.Equal(rooms.Order(), firstOfOurs.Select(r => r.RoomId).Order());
        Assert.All(firstOfOurs, room => Assert.Equal(1, room.LastSeq));
        Assert.All(firstOfOurs, room => Assert.NotNull(room.Epoch));

        await Room(rooms[7]).Post(new PostMessage("ann", "second", null));
        var (silosChanged, second) = await reports.CollectAsync();

        Assert.False(silosChanged);
        var reported = Assert.Single(second, r => rooms.Contains(r.RoomId));
        Assert.Equal((rooms[7], 2L, firstOfOurs.Single(r => r.RoomId == rooms[7]).Epoch), (reported.RoomId, reported.LastSeq, reported.Epoch));
    }

    [Fact]
    public async Task The_grain_of_a_silo_that_is_not_in_the_cluster_refuses_to_answer_for_another()
    {
        var gone = SiloAddress.New(System.Net.IPAddress.Loopback, 1, 1);

        await Assert.ThrowsAnyAsync<Exception>(() => AskAsync(gone, 0));
    }

    private async Task<RoomChanges> AskAsync(SiloAddress silo, long version)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            return await fixture.Grains.GetGrain<ISiloRoomsGrain>(silo.ToParsableString()).ChangedSince(version);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
