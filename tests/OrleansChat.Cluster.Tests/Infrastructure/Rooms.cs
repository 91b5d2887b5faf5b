using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansChat.Cluster.Tests.Infrastructure;

internal static class Rooms
{
    /// <summary>A client of <paramref name="node"/> with a token of its own, signed by <paramref name="tokens"/> (the loopback cluster's key unless given).</summary>
    public static HttpClient Reader(Uri node, TokenIssuer? tokens = null) => new()
    {
        BaseAddress = node,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = (tokens ?? ClusterTokens.Issuer).Bearer("history-reader") },
    };

    public static string NewId(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..24];

    /// <summary>Every retained message of the room, read page by page from one node.</summary>
    public static async Task<IReadOnlyList<ChatMessage>> HistoryAsync(Uri node, string roomId, TokenIssuer? tokens = null)
    {
        using var http = Reader(node, tokens);
        var messages = new List<ChatMessage>();
        while (true)
        {
            var page = (await http.GetFromJsonAsync<HistoryPage>($"/rooms/{roomId}/messages?after={messages.LastOrDefault()?.Seq ?? 0}&limit=500", JsonSerializerOptions.Web))!;
            if (page.Messages.Count == 0)
            {
                return messages;
            }

            messages.AddRange(page.Messages);
        }
    }

    public static async Task<RoomInfo> InfoAsync(Uri node, string roomId, TokenIssuer? tokens = null)
    {
        using var http = Reader(node, tokens);
        return (await http.GetFromJsonAsync<RoomInfo>($"/rooms/{roomId}", JsonSerializerOptions.Web))!;
    }

    /// <summary>The node that served an nginx request: the last address nginx tried.</summary>
    public static string NodeServing(ResumingSseClient.Connection connection) =>
        LocalCluster.NodeOf(new Uri($"http://{connection.Upstream.Split(',')[^1].Trim()}"));

    public static IEnumerable<long> Seqs(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i);
}
