using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Presence;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Hosting;

public static class ChatApiExtensions
{
    private const string ReadyTag = "ready";
    private const string KnownNetworksKey = "Chat:ForwardedHeaders:KnownNetworks";

    /// <summary>The HTTP side: options, JSON, errors, rate limits, health, OpenAPI, SSE connections and room feeds.</summary>
    public static WebApplicationBuilder AddChatApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SseOptions>().BindConfiguration(SseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RoomFeedOptions>().BindConfiguration(RoomFeedOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PostRateLimitOptions>().BindConfiguration(PostRateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ChatLimits.MaxBodyBytes);
        services.ConfigureHttpJsonOptions(json =>
        {
            // Responses serialize with these options, not the context's own, so they must agree with it.
            json.SerializerOptions.DefaultIgnoreCondition = ChatJsonContext.Default.Options.DefaultIgnoreCondition;
            json.SerializerOptions.Converters.Add(new UtcMillisecondsConverter());
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ChatJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<ClusterUnavailableHandler>();
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>(TrustProxyNetworks);
        // Embedded nodes are for one's own machine; client nodes serve a cluster, so they check tokens by default.
        var mode = builder.Configuration.GetValue("Chat:Mode", ApiMode.Embedded);
        builder.AddChatAuth(mode == ApiMode.Client ? AuthMode.Jwt : AuthMode.Development);
        services.AddRateLimiter(AddPostRateLimit);
        var health = services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag]);
        if (mode == ApiMode.Embedded)
        {
            // Client nodes are not warmed: their warm-up would post through the cluster's silos at every node start.
            services.AddOptions<WarmUpOptions>().BindConfiguration(WarmUpOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
            services.AddSingleton<HttpWarmUp>();
            services.AddSingleton<PipelineWarmUp>();
            services.AddHostedService(sp => sp.GetRequiredService<PipelineWarmUp>());
            health.AddCheck<WarmUpHealthCheck>("warm-up", tags: [ReadyTag]);
        }

        services.AddOpenApi(ChatOpenApi.Configure);

        builder.AddChatApiTelemetry();
        builder.AddChatDashboard();
        services.AddSingleton<SseConnections>();
        services.AddHostedService(sp => sp.GetRequiredService<SseConnections>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AnonymousStreams>();
        services.AddSingleton<UserStreamLeases>();
        services.AddHostedService(sp => sp.GetRequiredService<UserStreamLeases>());
        services.AddSingleton<StreamAdmission>();
        services.AddSingleton<RoomFeeds>();
        services.AddSingleton<SiloRoomReports>();
        services.TryAddKeyedSingleton(FeedWatchdog.ClockKey, TimeProvider.System);
        services.AddSingleton<FeedWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedWatchdog>());
        services.AddChatPresence();
        return builder;
    }

    public static WebApplication MapChatApi(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/rooms"), rooms => rooms.Use(ClusterUnavailableHandler.RejectUntilStartedAsync));
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        // Before the rate limiter: posts are limited per user, whom authentication names.
        app.MapChatAuth();
        app.UseRateLimiter();

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapRoomsApi();
        app.MapPresenceApi();
        app.MapChatTelemetry();
        app.MapChatDashboard();
        // In every environment: the document is part of the public contract, not a development aid.
        app.MapOpenApi();
        return app;
    }

    /// <summary>
    /// Loopback proxies are trusted by default; a load balancer elsewhere (nginx in its own container) must be listed
    /// in <c>Chat:ForwardedHeaders:KnownNetworks</c>, or every client would share the balancer's rate limit.
    /// </summary>
    private static void TrustProxyNetworks(ForwardedHeadersOptions options, IConfiguration configuration)
    {
        foreach (var network in configuration.GetSection(KnownNetworksKey).Get<string[]>() ?? [])
        {
            if (!System.Net.IPNetwork.TryParse(network, out var parsed))
            {
                throw new InvalidOperationException($"{KnownNetworksKey} holds '{network}', which is not a network in CIDR notation (e.g. 172.28.0.0/16).");
            }

            options.KnownIPNetworks.Add(parsed);
        }
    }

    private static void AddPostRateLimit(RateLimiterOptions limiter)
    {
        limiter.AddPolicy(RoomsApi.PostsRateLimitPolicy, context =>
        {
            var options = context.RequestServices.GetRequiredService<IOptions<PostRateLimitOptions>>().Value;
            if (options.PostsPerSecond == 0)
            {
                return RateLimitPartition.GetNoLimiter("unlimited");
            }

            return RateLimitPartition.GetTokenBucketLimiter(
                PostRateLimitKey.Of(context),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Burst,
                    TokensPerPeriod = options.PostsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
        });
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                : 1;
            var http = context.HttpContext;
            http.RequestServices.GetRequiredService<ChatMetrics>().Rejected(StatusCodes.Status429TooManyRequests, RejectionReasons.PostRate);
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many posts",
                    Detail = $"This user (or, without a token, this client address) is over its post rate limit; retry in {retryAfter} s. Nothing was stored.",
                },
            });
        };
    }
}
