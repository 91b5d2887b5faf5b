using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.Api.Feeds;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>The feed watchdog of one API node on a fake clock: the test runs its rounds, one at a time.</summary>
internal sealed class WatchdogRounds
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _clock = new();

    /// <summary>The settings and the services of a node whose rounds this runs.</summary>
    public Dictionary<string, string?> Settings => new() { ["Chat:Feed:CheckIntervalSeconds"] = Interval.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    public IServiceCollection AddTo(IServiceCollection services) => services.AddKeyedSingleton<TimeProvider>(FeedWatchdog.ClockKey, _clock);

    /// <summary>Lets one round run, and waits until it has.</summary>
    public async Task RunAsync(ApiHost api)
    {
        var watchdog = api.Services.GetRequiredService<FeedWatchdog>();
        var done = watchdog.Rounds;
        _clock.Advance(Interval);
        await Eventually.TrueAsync(() => watchdog.Rounds > done, "a watchdog round passed");
    }
}
