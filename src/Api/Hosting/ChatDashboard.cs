using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using OrleansChat.Api.Auth;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// The Orleans dashboard (grains, silos, calls, live log) at <c>/dashboard</c> on every API node. Open in
/// <c>Development</c> mode; in <c>Jwt</c> mode only for a token with a <c>chat_admin</c> claim.
/// </summary>
public static class ChatDashboard
{
    public const string Path = "/dashboard";

    /// <summary>The authorization policy of the dashboard, and the claim it asks for in <c>Jwt</c> mode.</summary>
    public const string AdminPolicy = "chat_admin";

    public static WebApplicationBuilder AddChatDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(AdminPolicy));
        return builder;
    }

    public static WebApplication MapChatDashboard(this WebApplication app)
    {
        var dashboard = app.MapOrleansDashboard(Path).ExcludeFromDescription();
        if (app.Services.GetRequiredService<IOptions<ChatAuthOptions>>().Value.Mode == AuthMode.Jwt)
        {
            dashboard.RequireAuthorization(AdminPolicy);
        }

        return app;
    }
}
