using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.Api.Presence;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Presence;

/// <summary>
/// A stopping node releases its streams in every room, so its users' grace starts at once. A host can stop the
/// reporter twice at once; the second stop must not return before the release is answered, or its host would stop
/// the Orleans client under the release.
/// </summary>
public sealed class PresenceReporterStopTests
{
    [Fact]
    public async Task A_second_stop_during_the_release_returns_only_once_the_release_is_answered()
    {
        var (grain, reporter, first) = await ReleaseInFlightAsync();
        var second = reporter.StopAsync(CancellationToken.None);
        Assert.NotSame(second, await Task.WhenAny(second, Task.Delay(TimeSpan.FromMilliseconds(500))));

        grain.Answer();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, grain.Releases);
    }

    [Fact]
    public async Task A_stop_whose_host_gives_up_returns_without_waiting_for_the_release()
    {
        var (grain, reporter, _) = await ReleaseInFlightAsync();
        using var timeout = new CancellationTokenSource();
        var second = reporter.StopAsync(timeout.Token);
        await timeout.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
        grain.Answer();
    }

    /// <summary>A reporter that counts bob in one room, stopped once: its release has reached the grain, which holds its answer.</summary>
    private static async Task<(HeldReleaseGrain Grain, PresenceReporter Reporter, Task FirstStop)> ReleaseInFlightAsync()
    {
        var grain = new HeldReleaseGrain();
        var reporter = NewReporter(grain);
        reporter.Open("room", new PresenceUser("bob", "Bob"));
        await reporter.StartAsync(CancellationToken.None);
        var first = reporter.StopAsync(CancellationToken.None);
        await grain.ReleaseArrived.WaitAsync(TimeSpan.FromSeconds(10));
        return (grain, reporter, first);
    }

    private static PresenceReporter NewReporter(IPresenceGrain grain)
    {
        var grains = DispatchProxy.Create<IGrainFactory, OneGrainFactory>();
        ((OneGrainFactory)grains).Grain = grain;
        // A fake clock that never moves: the reporter's loop never ticks, so the release is its only call.
        return new PresenceReporter(grains, Options.Create(new PresenceOptions()), new FakeTimeProvider(), new PresenceMetrics(ChatMeters.UnobservedFactory()),
            new SiloLeaseRenewals(grains, NullLogger<SiloLeaseRenewals>.Instance), NullLogger<PresenceReporter>.Instance);
    }

    /// <summary>Hands out the one grain for every <c>GetGrain</c>; the reporter makes no other call of the factory.</summary>
    public class OneGrainFactory : DispatchProxy
    {
        public object Grain { get; set; } = null!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? Grain : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>A room's presence grain that holds its answer to a release until told.</summary>
    private sealed class HeldReleaseGrain : IPresenceGrain
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _releases;

        public Task ReleaseArrived => _arrived.Task;

        public int Releases => Volatile.Read(ref _releases);

        public void Answer() => _answer.TrySetResult();

        public Task Report(string nodeId, PresenceDelta delta, PresenceTerms terms) => throw new NotSupportedException("The loop never ticks.");

        public async Task Renew(string nodeId, NodePresence streams, PresenceTerms terms)
        {
            Assert.Equal(0, streams.Users.Count + streams.Anonymous);
            Interlocked.Increment(ref _releases);

            _arrived.TrySetResult();
            await _answer.Task;
        }

        public Task<PresenceView> GetPresence() => throw new NotSupportedException();

        public Task Typing(PresenceUser user) => throw new NotSupportedException();
    }
}
