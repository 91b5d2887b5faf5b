using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;

namespace OrleansChat.Hosting;

/// <summary>
/// <c>Chat:Dashboard:Enabled</c> (default true): whether a process takes part in the Orleans dashboard. A silo that
/// does collects for it all the time (a metric reader every second over the Orleans instruments, a grain call filter),
/// whether anyone looks or not; an operator who does not use it turns it off on silos and API nodes alike.
/// </summary>
public static class ChatDashboardSwitch
{
    public const string EnabledKey = "Chat:Dashboard:Enabled";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(EnabledKey, defaultValue: true);

    /// <summary>The dashboard's collectors on this silo, when it is on.</summary>
    public static ISiloBuilder AddChatDashboard(this ISiloBuilder silo) => IsEnabled(silo.Configuration) ? silo.AddDashboard() : silo;

    /// <summary>The dashboard's client side on this API node, when it is on.</summary>
    public static IClientBuilder AddChatDashboard(this IClientBuilder client) => IsEnabled(client.Configuration) ? client.AddDashboard() : client;
}
