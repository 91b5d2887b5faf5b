using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// Who the presence scenario puts where: users spread evenly over the rooms, and each user's tabs on one node,
/// except that in every other pair of users one tab sits on the other node, so that some of the killed node's users
/// still have a stream elsewhere and the others have none.
/// </summary>
internal sealed class PresenceRoster
{
    private readonly PresenceStormOptions _options;

    public PresenceRoster(PresenceStormOptions options)
    {
        _options = options;
        // User 4q+c sits in room q mod rooms: every room gets users of all four placements.
        Users = [.. Enumerable.Range(0, options.Users).Select(u => new PresenceUserSpec(u, $"{options.Prefix}-u{u}", u / 4 % options.Rooms, RoomId(u / 4 % options.Rooms)))];
        UsersByRoom = [.. Enumerable.Range(0, options.Rooms).Select(r => Users.Where(u => u.Room == r).Select(u => u.UserId).ToHashSet(StringComparer.Ordinal))];
    }

    public PresenceUserSpec[] Users { get; }

    public IReadOnlyList<HashSet<string>> UsersByRoom { get; }

    public string RoomId(int room) => $"{_options.Prefix}-{room}";

    /// <summary>The node of tab <paramref name="tab"/> of <paramref name="user"/>.</summary>
    public Uri HomeOf(PresenceUserSpec user, int tab)
    {
        var urls = _options.Urls;
        var node = user.Index % urls.Count;
        return urls[user.Index % 4 >= 2 && tab == 0 ? (node + 1) % urls.Count : node];
    }

    /// <summary>
    /// Each room's <c>GET /rooms/{id}/presence</c> on <paramref name="node"/>: how many rooms count and list exactly
    /// their users, and the members counted over all rooms.
    /// </summary>
    public async Task<(int Complete, long Counted)> CheckAsync(HttpClient http, Uri node, CancellationToken cancellationToken)
    {
        var complete = 0;
        long counted = 0;
        var reader = Users[0].Token;
        await Parallel.ForAsync(0, _options.Rooms, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (room, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"/rooms/{RoomId(room)}/presence"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader);
            using var response = await http.SendAsync(request, token);
            if (!response.IsSuccessStatusCode)
            {
                return;
            }

            var presence = await response.Content.ReadFromJsonAsync<JsonElement>(token);
            var count = presence.GetProperty("count").GetInt32();
            var listed = presence.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("userId").GetString()!).ToHashSet(StringComparer.Ordinal);
            Interlocked.Add(ref counted, count);
            if (count == UsersByRoom[room].Count && listed.SetEquals(UsersByRoom[room]))
            {
                Interlocked.Increment(ref complete);
            }
        });
        return (complete, counted);
    }
}
