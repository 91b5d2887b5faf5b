using OrleansChat.Api.Events;

namespace OrleansChat.Api.Presence;

public static class ChatPresenceExtensions
{
    /// <summary>Presence on this node: its options, the reporter of its streams, the presence feeds and typing.</summary>
    public static IServiceCollection AddChatPresence(this IServiceCollection services)
    {
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(PresenceJsonContext.Default));
        services.AddSingleton<PresenceMetrics>();
        services.AddSingleton<SiloLeaseRenewals>();
        services.AddSingleton<PresenceReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceReporter>());
        services.AddSingleton<PresenceFeeds>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceFeeds>());
        services.AddSingleton<StreamPresence>();
        services.AddSingleton<TypingThrottle>();
        return services;
    }
}
