using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansChat.Api.Auth;

/// <summary>Identity and access: token validation, the room policies, their problem answers, and dev tokens.</summary>
public static partial class ChatAuthExtensions
{
    /// <param name="builder">The API node's builder.</param>
    /// <param name="defaultMode">The mode when <c>Chat:Auth:Mode</c> is not set: it depends on how the node is hosted.</param>
    public static WebApplicationBuilder AddChatAuth(this WebApplicationBuilder builder, AuthMode defaultMode)
    {
        var services = builder.Services;
        services.AddOptions<ChatAuthOptions>()
            .Configure(options => options.Mode = defaultMode)
            .BindConfiguration(ChatAuthOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ChatAuthOptions>, ChatAuthOptionsValidator>();
        services.AddSingleton<NodeSigningKey>();
        services.AddSingleton<DevTokenIssuer>();
        services.TryAddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(AuthJsonContext.Default));

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.ConfigureOptions<ChatJwtBearer>();
        var policies = services.AddAuthorizationBuilder();
        foreach (var right in Enum.GetValues<RoomRight>())
        {
            policies.AddPolicy(right.PolicyName(), policy => policy.AddRequirements(new RoomAccessRequirement(right)));
        }

        policies.AddPolicy(RoomRights.WriteOrModeratePolicy, policy => policy.AddRequirements(new RoomAccessRequirement(RoomRight.Write, RoomRight.Moderate)));

        services.AddSingleton<IAuthorizationHandler, RoomAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthProblems>();
        services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory>(sp => new AccessTokenQuery(new DefaultHttpContextFactory(sp))));
        return builder;
    }

    /// <summary>Authentication and authorization middleware, then the dev token endpoint when it is on.</summary>
    public static WebApplication MapChatAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        var options = app.Services.GetRequiredService<IOptions<ChatAuthOptions>>().Value;
        if (options.DevTokensEnabled)
        {
            app.MapDevTokenApi();
        }

        if (options.Mode == AuthMode.Development)
        {
            LogUnverifiedIdentities(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ChatAuthOptions).Namespace!));
        }

        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat:Auth:Mode is Development: a request without a token posts as whatever userId its body names, "
        + "and may read and write every room. Identities are NOT verified; set Chat:Auth:Mode=Jwt for real users.")]
    private static partial void LogUnverifiedIdentities(ILogger logger);
}
