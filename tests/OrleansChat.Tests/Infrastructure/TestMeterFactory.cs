using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>A meter factory of its own, so a test's collectors see only the instruments it created.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public Meter Create(MeterOptions options) => _services.GetRequiredService<IMeterFactory>().Create(options);

    public void Dispose() => _services.Dispose();
}
