using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Grains;

/// <summary>Two silos whose user-stream leases expire by one fake clock; the runtime keeps real time.</summary>
public sealed class UserStreamsClusterFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(UserStreamsGrain.ClockKey, Clock);
            silo.AddChatRooms();
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(ChatStreams.ProviderName));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class UserStreamsGrainTests(UserStreamsClusterFixture fixture) : IClassFixture<UserStreamsClusterFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static IUserStreamsGrain NewUser(UserStreamsClusterFixture fixture) =>
        fixture.Grains.GetGrain<IUserStreamsGrain>($"user-{Guid.NewGuid():N}");

    private static async Task<bool> TryAcquireAsync(IUserStreamsGrain user, string node, long stream, int max = 3) =>
        (await user.TryAcquire(new StreamLease(node, stream), max, Lease)).Granted;

    [Fact]
    public async Task Streams_up_to_the_cap_are_granted_and_the_next_is_refused_with_the_count()
    {
        var user = NewUser(fixture);

        Assert.True(await TryAcquireAsync(user, "a", 1));
        Assert.True(await TryAcquireAsync(user, "a", 2));
        Assert.Equal(new StreamGrant(true, 3), await user.TryAcquire(new StreamLease("a", 3), 3, Lease));
        Assert.Equal(new StreamGrant(false, 3), await user.TryAcquire(new StreamLease("a", 4), 3, Lease));
        // The same stream asked again is the one it already holds, not another.
        Assert.Equal(new StreamGrant(true, 3), await user.TryAcquire(new StreamLease("a", 3), 3, Lease));
    }

    [Fact]
    public async Task A_released_stream_frees_its_place_at_once()
    {
        var user = NewUser(fixture);
        for (var stream = 1; stream <= 3; stream++)
        {
            Assert.True(await TryAcquireAsync(user, "a", stream));
        }

        await user.Release(new StreamLease("a", 2));

        Assert.True(await TryAcquireAsync(user, "a", 4));
        Assert.False(await TryAcquireAsync(user, "a", 5));
    }

    [Fact]
    public async Task The_cap_counts_the_streams_of_every_node()
    {
        var user = NewUser(fixture);
        Assert.True(await TryAcquireAsync(user, "a", 1));
        Assert.True(await TryAcquireAsync(user, "b", 1));
        Assert.True(await TryAcquireAsync(user, "c", 1));

        Assert.False(await TryAcquireAsync(user, "b", 2));
        await user.Release(new StreamLease("a", 1));
        Assert.True(await TryAcquireAsync(user, "b", 2));
    }

    [Fact]
    public async Task A_node_that_stops_renewing_loses_its_streams_after_one_lease_period_while_a_renewing_node_keeps_them()
    {
        var user = NewUser(fixture);
        Assert.True(await TryAcquireAsync(user, "dead", 1));
        Assert.True(await TryAcquireAsync(user, "dead", 2));
        Assert.True(await TryAcquireAsync(user, "alive", 1));

        // The live node renews every third of the period; the dead one is silent.
        for (var i = 0; i < 2; i++)
        {
            fixture.Clock.Advance(Lease / 3);
            await user.Renew("alive", [1], Lease);
        }

        fixture.Clock.Advance(Lease / 3 - TimeSpan.FromSeconds(1));
        Assert.False(await TryAcquireAsync(user, "alive", 2), "the dead node's streams still count within its lease period");

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await TryAcquireAsync(user, "alive", 2));
        Assert.True(await TryAcquireAsync(user, "alive", 3));
        Assert.False(await TryAcquireAsync(user, "alive", 4), "the renewing node's streams still count");
    }

    [Fact]
    public async Task A_renewal_replaces_the_nodes_streams_so_a_lost_release_stops_counting()
    {
        var user = NewUser(fixture);
        for (var stream = 1; stream <= 3; stream++)
        {
            Assert.True(await TryAcquireAsync(user, "a", stream));
        }

        // Stream 2 ended on the node, but its release never reached the grain.
        await user.Renew("a", [1, 3], Lease);

        Assert.True(await TryAcquireAsync(user, "a", 4));
        Assert.False(await TryAcquireAsync(user, "a", 5));
    }
}
