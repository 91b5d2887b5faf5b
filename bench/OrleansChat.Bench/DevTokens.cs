using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansChat.Bench;

/// <summary>
/// Tokens for an <c>--auth dev-token</c> run, one per user, from the nodes' own <c>POST /auth/dev-token</c>
/// (docs/api.md), fetched before anything is measured.
/// </summary>
/// <remarks>
/// The endpoint rather than tokens signed here with a key from the command line: the generator stays a client of
/// the documented contract only (no JWT code, no signing key to hand around), and it works unchanged against an
/// embedded node, whose dev tokens are signed with a random key nobody outside it knows, and against
/// <c>cluster.sh</c>, whose nodes share one. The server checks a token's signature the same way whoever signed it.
/// </remarks>
internal static class DevTokens
{
    public static async Task<string[]> IssueAsync(
        HttpClient http, IReadOnlyList<Uri> urls, IReadOnlyList<string> userIds, int concurrency, CancellationToken cancellationToken)
    {
        var tokens = new string[userIds.Count];
        await Parallel.ForAsync(0, userIds.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                using var response = await http.PostAsJsonAsync(
                    new Uri(urls[i % urls.Count], "/auth/dev-token"), new DevTokenRequest(userIds[i]), DevTokenJsonContext.Default.DevTokenRequest, token);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(
                        $"POST /auth/dev-token answered {(int)response.StatusCode}: is Chat:Auth:DevTokens on? {await response.Content.ReadAsStringAsync(token)}");
                }

                var issued = await response.Content.ReadFromJsonAsync(DevTokenJsonContext.Default.DevTokenResponse, token);
                tokens[i] = issued?.Token ?? throw new InvalidOperationException("POST /auth/dev-token answered without a token.");
            });
        return tokens;
    }
}

internal sealed record DevTokenRequest(string UserId);

internal sealed record DevTokenResponse(string Token);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevTokenResponse))]
internal sealed partial class DevTokenJsonContext : JsonSerializerContext;
