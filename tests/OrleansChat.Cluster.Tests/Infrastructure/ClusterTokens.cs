using System.Net.Http.Headers;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// Tokens the loopback cluster accepts: signed with the key <c>cluster.sh</c> generated into its state folder, as an
/// identity provider sharing that key would sign them.
/// </summary>
internal static class ClusterTokens
{
    public static string KeyFile => Path.Combine(LocalCluster.RepositoryRoot, "deploy", "local", ".state", "signing-key");

    /// <summary>Read on each use: <c>cluster.sh up</c> writes the key, after the tests are loaded.</summary>
    public static TokenIssuer Issuer => new(File.ReadAllText(KeyFile));

    /// <summary>A token for <paramref name="userId"/>, valid for <paramref name="lifetime"/> (an hour unless given).</summary>
    public static string Mint(string userId, TimeSpan? lifetime = null) => Issuer.Mint(userId, lifetime);

    public static AuthenticationHeaderValue Bearer(string userId) => Issuer.Bearer(userId);
}
