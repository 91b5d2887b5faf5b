using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace OrleansChat.Bench;

/// <summary>The answer to one post: which post, where it went, the seq the room gave it and its text's hash.</summary>
internal readonly record struct AckedPost(long K, int Room, int Poster, long Seq, long Due, ulong TextHash);

/// <summary>
/// The edits mix: edits (<c>PATCH /rooms/{roomId}/messages/{seq}</c>) and deletions (<c>DELETE …?userId=</c>) of
/// acknowledged posts, as their author, chosen and timed by a <see cref="ChangePlan"/>. Also keeps, per room, the
/// state every message should end in by the answers the generator got, for the final check.
/// </summary>
/// <remarks>
/// Open-loop like the posts: each change is sent when it is due, whatever became of the others, and its latency counts
/// from then. A change can only be planned once its post is acknowledged (it needs the seq); one due before that is sent
/// at once, late. A deletion of an edited message waits for the edit's answer, so the two cannot overtake each other.
/// Changes due at or after <see cref="EndTicks"/> (the end of posting) are not made, so they load the same window.
/// </remarks>
internal sealed class MessageChanges(
    HttpClient http, IReadOnlyList<Uri> urls, string[] roomIds, int messageSize, ChangePlan plan, string[]? tokens, CancellationToken cancellationToken)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly long[] _acked = new long[roomIds.Length];
    private readonly MessageStates[] _states = [.. roomIds.Select(_ => new MessageStates())];
    private readonly List<Task> _pending = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _editsSent;
    private long _editsAcked;
    private long _deletesSent;
    private long _deletesAcked;
    private long _failed;

    public ChangePlan Plan => plan;

    /// <summary>Changes due at or after this stopwatch timestamp are not made.</summary>
    public long EndTicks { get; set; } = long.MaxValue;

    /// <summary>Change → <c>200</c>, from when the change was due.</summary>
    public Histogram AckLatency { get; } = new();

    /// <summary>
    /// How late the generator itself sent each change: from when it was due, or when it could first be sent (its
    /// post's or edit's answer came later), to when it went out.
    /// </summary>
    public Histogram SendLag { get; } = new();

    public long EditsSent => Interlocked.Read(ref _editsSent);

    public long EditsAcked => Interlocked.Read(ref _editsAcked);

    public long DeletesSent => Interlocked.Read(ref _deletesSent);

    public long DeletesAcked => Interlocked.Read(ref _deletesAcked);

    public long Failed => Interlocked.Read(ref _failed);

    public IReadOnlyList<string> Errors => [.. _errors.OrderByDescending(e => e.Value).Take(5).Select(e => $"{e.Key} ×{e.Value}")];

    /// <summary>Changes acknowledged in <paramref name="room"/>: each is one event of the room, with its own seq.</summary>
    public long Acked(int room) => Interlocked.Read(ref _acked[room]);

    /// <summary>The state each message of <paramref name="room"/> should be in by the answers so far.</summary>
    public MessageStates AckedStates(int room) => _states[room];

    /// <summary>Records an acknowledged post and makes the changes the plan has for it.</summary>
    public void PostAcked(AckedPost post)
    {
        Record(post.Room, post.Seq, MessageStates.AsPosted(post.TextHash));
        var (edit, delete) = plan.For(post.K);
        var editDue = post.Due + ChangePlan.EditAfterTicks;
        var deleteDue = post.Due + ChangePlan.DeleteAfterTicks;
        edit &= editDue < EndTicks;
        delete &= deleteDue < EndTicks;
        if (edit || delete)
        {
            var change = ChangeAsync(post, edit ? editDue : 0, delete ? deleteDue : 0);
            lock (_pending)
            {
                _pending.Add(change);
            }
        }
    }

    /// <summary>Completes when every change planned so far has been answered.</summary>
    public Task CompletedAsync()
    {
        lock (_pending)
        {
            return Task.WhenAll(_pending);
        }
    }

    private async Task ChangeAsync(AckedPost post, long editDue, long deleteDue)
    {
        if (editDue != 0)
        {
            var body = MessageBody.Json(Posters.UserId(post.Poster), editDue, "edited ", messageSize);
            var hash = MessageStates.HashText(MessageBody.Text(body, messageSize));
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            if (await SendAsync(post, edit: true, content, editDue))
            {
                Record(post.Room, post.Seq, MessageStates.Edited(hash));
            }
        }

        if (deleteDue != 0)
        {
            if (await SendAsync(post, edit: false, null, deleteDue))
            {
                Record(post.Room, post.Seq, MessageStates.Deleted);
            }
        }
    }

    /// <summary>
    /// Sends the edit (with <paramref name="content"/>) or the deletion of <paramref name="post"/> when it is due, as its
    /// author (in <c>Development</c> mode without a token, a deletion names the author in <c>?userId=</c>); true on <c>200</c>.
    /// </summary>
    private async Task<bool> SendAsync(AckedPost post, bool edit, HttpContent? content, long due)
    {
        var ready = Math.Max(due, Stopwatch.GetTimestamp());
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait >= TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        }

        SendLag.RecordTicks(Math.Max(0, Stopwatch.GetTimestamp() - ready));
        Interlocked.Increment(ref (edit ? ref _editsSent : ref _deletesSent));
        var method = edit ? HttpMethod.Patch : HttpMethod.Delete;
        var query = edit || tokens is not null ? "" : $"?userId={Posters.UserId(post.Poster)}";
        var url = new Uri(urls[(int)(post.K % urls.Count)], $"/rooms/{roomIds[post.Room]}/messages/{post.Seq}{query}");
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = tokens is null ? null : new AuthenticationHeaderValue("Bearer", tokens[post.Poster]);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Fail($"{method} HTTP {(int)response.StatusCode}");
                return false;
            }

            AckLatency.RecordTicks(Stopwatch.GetTimestamp() - due);
            Interlocked.Increment(ref (edit ? ref _editsAcked : ref _deletesAcked));
            Interlocked.Increment(ref _acked[post.Room]);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception)
        {
            Fail($"{method} {exception.GetBaseException().Message}");
            return false;
        }
    }

    private void Record(int room, long seq, ulong state)
    {
        lock (_states[room])
        {
            _states[room].Set(seq, state);
        }
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _failed);
        _errors.AddOrUpdate(error, 1, static (_, n) => n + 1);
    }
}
