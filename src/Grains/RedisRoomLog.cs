using System.Globalization;
using StackExchange.Redis;

namespace OrleansChat;

/// <summary>
/// The room log of a cluster: each room is a Redis stream whose entry ids are <c>{seq}-0</c>, beside a key that holds
/// the room's last seq (it outlives trimming, so seqs never restart). Both keys carry the room id as a hash tag, so
/// they stay on one node of a Redis cluster and one script can change them together.
/// </summary>
public sealed class RedisRoomLog : IRoomLog, IAsyncDisposable
{
    // Conditional on the expected last seq, so a stale or duplicate activation can neither reuse a seq nor leave a gap;
    // the check, the entries, the trim and the new last seq are one atomic step and one round trip.
    // ARGV: expected last seq, entries to keep, then per message its field count and fields.
    private const string AppendScript = """
        local last = tonumber(redis.call('GET', KEYS[2]) or '0')
        if last ~= tonumber(ARGV[1]) then
            return {0, last}
        end
        local i = 3
        while i <= #ARGV do
            local n = tonumber(ARGV[i])
            last = last + 1
            redis.call('XADD', KEYS[1], string.format('%d-0', last), unpack(ARGV, i + 1, i + n))
            i = i + n + 1
        end
        redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[2])
        redis.call('SET', KEYS[2], string.format('%d', last))
        return {1, last}
        """;

    // One script so that the last seq and the newest entries are read at the same instant.
    private const string ReadScript = """
        return {redis.call('GET', KEYS[2]) or '0', redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])}
        """;

    private const string UserField = "u";
    private const string TextField = "t";
    private const string CreatedAtField = "at";
    private const string ClientMessageIdField = "k";
    private const string UserNameField = "n";

    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly string _keyPrefix;
    private readonly ReplicaConfirmedWrites? _confirmedWrites;

    /// <param name="configuration">Where Redis is; the connection starts now and reconnects on its own.</param>
    /// <param name="keyPrefix">Prepended to every key, e.g. <c>orleanschat/room/</c>.</param>
    /// <param name="confirmedWrites">Set when replicas must confirm appends (Chat:Durability:Replicas); owned by the log.</param>
    public RedisRoomLog(ConfigurationOptions configuration, string keyPrefix, ReplicaConfirmedWrites? confirmedWrites = null)
    {
        _connection = ConnectionMultiplexer.ConnectAsync(configuration);
        _keyPrefix = keyPrefix;
        _confirmedWrites = confirmedWrites;
    }

    public async Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxMessages, CancellationToken cancellationToken = default)
    {
        if (_confirmedWrites is not null)
        {
            await _confirmedWrites.ConfirmEarlierWritesAsync().WaitAsync(cancellationToken);
        }

        var database = await DatabaseAsync(cancellationToken);
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, Keys(roomId), [maxMessages]).WaitAsync(cancellationToken))!;
        var lastSeq = (long)reply[0];
        var entries = (RedisResult[])reply[1]!;
        var messages = new ChatMessage[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            // XREVRANGE answers newest first; the snapshot is oldest first.
            messages[entries.Length - 1 - i] = Parse(roomId, (RedisResult[])entries[i]!);
        }

        return new RoomLogSnapshot(lastSeq, messages);
    }

    public async Task<long> AppendAsync(string roomId, IReadOnlyList<ChatMessage> messages, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count);
        var expectedLastSeq = messages[0].Seq - 1;
        var arguments = new List<RedisValue>(2 + messages.Count * 11) { expectedLastSeq, maxMessages };
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Seq != messages[0].Seq + i)
            {
                // The script numbers entries itself; seqs that do not run on would be stored under other seqs.
                throw new ArgumentException($"Seqs must be consecutive: {message.Seq} follows {messages[i - 1].Seq}.", nameof(messages));
            }

            var fieldsAt = arguments.Count;
            arguments.Add(RedisValue.Null);
            arguments.Add(UserField);
            arguments.Add(message.UserId);
            arguments.Add(TextField);
            arguments.Add(message.Text);
            arguments.Add(CreatedAtField);
            arguments.Add(message.CreatedAt.ToUnixTimeMilliseconds());
            if (message.ClientMessageId is { } clientMessageId)
            {
                arguments.Add(ClientMessageIdField);
                arguments.Add(clientMessageId);
            }

            if (message.UserName is { } userName)
            {
                arguments.Add(UserNameField);
                arguments.Add(userName);
            }

            arguments[fieldsAt] = arguments.Count - fieldsAt - 1;
        }

        var database = await DatabaseAsync(cancellationToken);
        var reply = (RedisResult[])(await (_confirmedWrites is null
            ? database.ScriptEvaluateAsync(AppendScript, Keys(roomId), [.. arguments])
            : _confirmedWrites.EvaluateAsync(AppendScript, Keys(roomId), [.. arguments])))!;
        if ((long)reply[0] == 0)
        {
            throw new RoomLogConflictException(roomId, expectedLastSeq, (long)reply[1]);
        }

        return (long)reply[1];
    }

    public async Task TrimBelowAsync(string roomId, long firstKeptSeq, CancellationToken cancellationToken = default)
    {
        // Entry ids are {seq}-0, so the lowest id kept is the lowest seq kept.
        var database = await DatabaseAsync(cancellationToken);
        await database.ExecuteAsync("XTRIM", [Keys(roomId)[0], "MINID", $"{firstKeptSeq}-0"]).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync();
        }

        if (_confirmedWrites is not null)
        {
            await _confirmedWrites.DisposeAsync();
        }
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        (await _connection.WaitAsync(cancellationToken)).GetDatabase();

    private RedisKey[] Keys(string roomId)
    {
        var room = $"{_keyPrefix}{{{roomId}}}";
        return [$"{room}/log", $"{room}/last"];
    }

    private static ChatMessage Parse(string roomId, RedisResult[] entry)
    {
        var id = (string)entry[0]!;
        var seq = long.Parse(id.AsSpan(0, id.IndexOf('-')), CultureInfo.InvariantCulture);
        var fields = (RedisResult[])entry[1]!;
        string? userId = null, text = null, clientMessageId = null, userName = null;
        long createdAt = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string)fields[i]!)
            {
                case UserField: userId = (string)fields[i + 1]!; break;
                case TextField: text = (string)fields[i + 1]!; break;
                case CreatedAtField: createdAt = (long)fields[i + 1]; break;
                case ClientMessageIdField: clientMessageId = (string)fields[i + 1]!; break;
                case UserNameField: userName = (string)fields[i + 1]!; break;
            }
        }

        if (userId is null || text is null)
        {
            throw new InvalidDataException($"Room '{roomId}' log entry {id} lacks a user or a text.");
        }

        return new ChatMessage(roomId, seq, userId, text, DateTimeOffset.FromUnixTimeMilliseconds(createdAt), clientMessageId, userName);
    }
}
