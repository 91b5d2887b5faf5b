using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansChat.Api.Auth;
using OrleansChat.Hosting;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// The Orleans dashboard (grains, silos, calls, live log) at <c>/dashboard</c> on every API node, unless
/// <see cref="ChatDashboardSwitch"/> turns it off. Open in
/// <c>Development</c> mode; in <c>Jwt</c> mode only for a token with a <c>chat_admin</c> claim, which a browser
/// gives once at <c>/dashboard/signin</c> (<see cref="DashboardAccess"/>).
/// </summary>
public static class ChatDashboard
{
    public static WebApplicationBuilder AddChatDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(DashboardAccess.AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(DashboardAccess.AdminPolicy));
        return builder;
    }

    public static WebApplication MapChatDashboard(this WebApplication app)
    {
        if (!ChatDashboardSwitch.IsEnabled(app.Configuration))
        {
            return app;
        }

        var dashboard = app.MapOrleansDashboard(DashboardAccess.Path).ExcludeFromDescription();
        if (app.Services.GetRequiredService<IOptions<ChatAuthOptions>>().Value.Mode == AuthMode.Jwt)
        {
            dashboard.RequireAuthorization(DashboardAccess.AdminPolicy);
            app.MapDashboardSignIn();
        }

        return app;
    }
}
