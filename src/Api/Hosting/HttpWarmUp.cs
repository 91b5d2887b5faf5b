using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Auth;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// The HTTP half of an embedded node's warm-up: posts through the node's own endpoint on loopback, so that Kestrel,
/// the middleware, token checks, the rate limiter, JSON binding and the post handler have run (and been compiled
/// again, optimized) before the first client posts.
/// </summary>
/// <remarks>
/// Only in <c>Development</c> auth mode, where the node can sign tokens itself: each lane posts as a user of its own
/// (so no client address's rate limit bucket is spent), with a token whose rights name only the warm-up room. That
/// room is named by a fresh GUID, which no client can know.
/// </remarks>
internal sealed partial class HttpWarmUp(
    IServer server,
    NodeSigningKey signingKey,
    DevTokenIssuer tokens,
    IOptions<ChatAuthOptions> auth,
    ILogger<HttpWarmUp> logger)
{
    /// <summary>Posts in flight at once, each lane a user of its own.</summary>
    private const int Lanes = 8;

    private static readonly string Text = new('w', 100);

    /// <summary>Where the node reaches itself: found (or found missing, and said so) once for every round.</summary>
    private readonly Lazy<Uri?> _target = new(() => FindTarget(server, signingKey, auth.Value, logger));

    /// <summary>The room the posts went to.</summary>
    public string RoomId { get; } = $"warm-up-{Guid.NewGuid():N}";

    /// <summary>Posts <paramref name="posts"/> messages through HTTP, or says in the log why it cannot.</summary>
    /// <param name="posts">The messages to post.</param>
    /// <param name="round">Names this round's users: each user's posts stay within the default rate limit's burst.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <returns>The messages posted: all, or none.</returns>
    public async Task<int> RunAsync(int posts, int round, CancellationToken cancellationToken)
    {
        if (posts == 0 || _target.Value is not { } address)
        {
            return 0;
        }

        using var http = new HttpClient { BaseAddress = address };
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane =>
            PostAsync(http, $"warm-up-{round}-{lane}", posts / Lanes + (lane < posts % Lanes ? 1 : 0), cancellationToken)));
        return posts;
    }

    private async Task PostAsync(HttpClient http, string user, int posts, CancellationToken cancellationToken)
    {
        var token = tokens.Issue(new DevTokenRequest { UserId = user, TtlSeconds = 300, Read = [RoomId], Write = [RoomId] }).Token;
        for (var i = 0; i < posts; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{RoomId}/messages")
            {
                Content = JsonContent.Create(new { userId = user, text = Text }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"The node answered a warm-up post with {(int)response.StatusCode}.");
            }
        }
    }

    private static Uri? FindTarget(IServer server, NodeSigningKey signingKey, ChatAuthOptions auth, ILogger logger)
    {
        if (auth.Mode != AuthMode.Development || signingKey.Key is null)
        {
            LogSkipped(logger, "the node signs no tokens (Chat:Auth:Mode is not Development, or dev tokens are off)");
            return null;
        }

        var address = LoopbackAddress(server);
        if (address is null)
        {
            LogSkipped(logger, "the node listens on no http:// address");
        }

        return address;
    }

    /// <summary>Where this process can reach its own first http:// listener.</summary>
    private static Uri? LoopbackAddress(IServer server)
    {
        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (listening.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) is not { } first)
        {
            return null;
        }

        var bound = BindingAddress.Parse(first);
        // A wildcard listener is reached on loopback; a specific one at its own address.
        var host = bound.Host switch
        {
            "+" or "*" or "0.0.0.0" or "localhost" => IPAddress.Loopback.ToString(),
            "[::]" => $"[{IPAddress.IPv6Loopback}]",
            var specific => specific,
        };
        return new Uri($"http://{host}:{bound.Port}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The warm-up posts no messages through HTTP: {Reason}.")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
