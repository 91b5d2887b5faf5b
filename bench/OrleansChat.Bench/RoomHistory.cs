using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>A room's final state as its history shows it: every retained message as it now stands.</summary>
internal sealed record RoomHistory(long FirstRetainedSeq, long LastSeq, MessageStates States, int Messages, int Edited, int Deleted)
{
    private const int PageSize = 500;

    /// <summary>Reads <c>GET /rooms/{roomId}/messages?after=…&amp;limit=500</c> forward from the start, page by page.</summary>
    public static async Task<RoomHistory> ReadAsync(HttpClient http, Uri baseUrl, string roomId, string? token, CancellationToken cancellationToken)
    {
        var states = new MessageStates();
        long after = 0, firstRetained = 0, lastSeq = 0;
        int messages = 0, edited = 0, deleted = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, $"/rooms/{roomId}/messages?after={after}&limit={PageSize}"));
            request.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var page = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var root = page.RootElement;
            firstRetained = firstRetained == 0 ? root.GetProperty("firstRetainedSeq").GetInt64() : firstRetained;
            lastSeq = root.GetProperty("lastSeq").GetInt64();
            var count = 0;
            foreach (var message in root.GetProperty("messages").EnumerateArray())
            {
                count++;
                after = message.GetProperty("seq").GetInt64();
                var state = State(message);
                states.Set(after, state);
                messages++;
                edited += MessageStates.IsEdited(state) ? 1 : 0;
                deleted += state == MessageStates.Deleted ? 1 : 0;
            }

            if (count < PageSize)
            {
                return new RoomHistory(firstRetained, lastSeq, states, messages, edited, deleted);
            }
        }
    }

    /// <summary>A message in the form subscribers keep it: its text hashed as it appears in the JSON, between the quotes.</summary>
    private static ulong State(JsonElement message)
    {
        if (message.TryGetProperty("deleted", out var deleted) && deleted.ValueKind == JsonValueKind.True)
        {
            return MessageStates.Deleted;
        }

        var raw = message.GetProperty("text").GetRawText();
        var hash = MessageStates.HashText(Encoding.UTF8.GetBytes(raw[1..^1]));
        return message.TryGetProperty("editedAt", out _) ? MessageStates.Edited(hash) : MessageStates.AsPosted(hash);
    }
}
