using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// Tokens the loopback cluster accepts: signed with the key <c>cluster.sh</c> generated into its state folder, as an
/// identity provider sharing that key would sign them.
/// </summary>
internal static class ClusterTokens
{
    private static readonly JsonWebTokenHandler Handler = new();

    public static string KeyFile => Path.Combine(LocalCluster.RepositoryRoot, "deploy", "local", ".state", "signing-key");

    /// <summary>A token for <paramref name="userId"/>, valid for <paramref name="lifetime"/> (an hour unless given).</summary>
    public static string Mint(string userId, TimeSpan? lifetime = null)
    {
        var now = DateTime.UtcNow;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(KeyFile).Trim()));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = userId },
            IssuedAt = now,
            NotBefore = now.AddSeconds(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    public static AuthenticationHeaderValue Bearer(string userId) => new("Bearer", Mint(userId));
}
