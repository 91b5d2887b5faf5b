using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace OrleansChat;

/// <summary>
/// The room log of a cluster, in four keys per room: a Redis stream of events whose entry ids are <c>{seq}-0</c> and
/// whose fields hold only the event's kind, its message's seq and its time; a hash holding each message once, as it
/// now stands (an edit or a deletion overwrites it, so a deleted text is kept nowhere); the room's last seq (it outlives
/// trimming, so seqs never restart); and the log's epoch. All keys carry the room id as a hash tag, so they stay on
/// one node of a Redis cluster and one script can change them together.
/// </summary>
public sealed class RedisRoomLog : IRoomLog, IAsyncDisposable
{
    // The trimming both writing scripts share. KEYS[1] is the events, KEYS[4] the messages. A message is released from
    // the hash when the newest event that names it ("{seq}:n") is trimmed, so no text outlives the events that name it.
    // Entry ids are {seq}-0, not times, so an age trim finds its first event to keep by the events' own times ("at",
    // Unix ms), from the oldest up to the first that is not too old: the log stays consecutive, as the grain's window.
    private const string TrimFunctions = """
        local function release(entries)
            for _, entry in ipairs(entries) do
                local seq = string.match(entry[1], '^(%d+)')
                local fields = entry[2]
                for j = 1, #fields, 2 do
                    if fields[j] == 'm' and redis.call('HGET', KEYS[4], fields[j + 1] .. ':n') == seq then
                        redis.call('HDEL', KEYS[4], fields[j + 1], fields[j + 1] .. ':n')
                    end
                end
            end
        end
        local function trim_to(max_events)
            local excess = redis.call('XLEN', KEYS[1]) - max_events
            if excess > 0 then
                release(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess))
                redis.call('XTRIM', KEYS[1], 'MAXLEN', max_events)
            end
        end
        local function trim_before(cutoff)
            local from, count = '-', 1
            while true do
                local entries = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', count)
                local expired = {}
                for _, entry in ipairs(entries) do
                    local fields, at = entry[2], 0
                    for j = 1, #fields, 2 do
                        if fields[j] == 'at' then
                            at = tonumber(fields[j + 1])
                        end
                    end
                    if at >= cutoff then
                        release(expired)
                        redis.call('XTRIM', KEYS[1], 'MINID', entry[1])
                        return
                    end
                    expired[#expired + 1] = entry
                end
                release(expired)
                if #entries < count then
                    redis.call('XTRIM', KEYS[1], 'MAXLEN', 0)
                    return
                end
                -- Most calls find the oldest event young enough: they read one entry, the rest read in pages.
                from, count = '(' .. entries[#entries][1], 128
            end
        end

        """;

    // Conditional on the expected last seq and epoch, so a stale or duplicate activation can neither reuse a seq nor
    // leave a gap, nor continue a log that was lost and started again; the check, the epoch of a new log, the events,
    // the messages, the trims and the new last seq are one atomic step and one round trip.
    // KEYS: events, last seq, epoch, messages. ARGV: expected last seq, epoch, events to keep, the age cutoff (Unix ms,
    // or empty for none), the idle expiry (ms, or empty for none), then per event its kind, its message's seq, its time
    // and the message as it now stands.
    private const string AppendScript = TrimFunctions + """
        local last = tonumber(redis.call('GET', KEYS[2]) or '0')
        local epoch = redis.call('GET', KEYS[3])
        if last ~= tonumber(ARGV[1]) or (last > 0 and epoch ~= ARGV[2]) then
            return {0, last, epoch or ''}
        end
        if last == 0 then
            redis.call('SET', KEYS[3], ARGV[2])
        end
        for i = 6, #ARGV, 4 do
            last = last + 1
            local seq = string.format('%d', last)
            redis.call('XADD', KEYS[1], seq .. '-0', 'e', ARGV[i], 'm', ARGV[i + 1], 'at', ARGV[i + 2])
            redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i + 3], ARGV[i + 1] .. ':n', seq)
        end
        trim_to(tonumber(ARGV[3]))
        if ARGV[4] ~= '' then
            trim_before(tonumber(ARGV[4]))
        end
        if ARGV[5] ~= '' then
            -- One expiry instant for both keys, so that no read finds one without the other.
            local now = redis.call('TIME')
            local at = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + tonumber(ARGV[5])
            redis.call('PEXPIREAT', KEYS[1], at)
            redis.call('PEXPIREAT', KEYS[4], at)
        end
        redis.call('SET', KEYS[2], string.format('%d', last))
        return {1, last}
        """;

    // KEYS: as the append's. ARGV: the age cutoff (Unix ms).
    private const string TrimScript = TrimFunctions + """
        trim_before(tonumber(ARGV[1]))
        return 1
        """;

    // One script so that the last seq, the epoch, the newest events and their messages are read at the same instant.
    private const string ReadScript = """
        local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])
        local messages = {}
        for i, entry in ipairs(entries) do
            local fields = entry[2]
            messages[i] = ''
            for j = 1, #fields, 2 do
                if fields[j] == 'm' then
                    messages[i] = redis.call('HGET', KEYS[4], fields[j + 1]) or ''
                end
            end
        end
        return {redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3]) or '', entries, messages}
        """;

    private const string KindField = "e";
    private const string MessageSeqField = "m";
    private const string AtField = "at";

    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly string _keyPrefix;
    private readonly ReplicaConfirmedWrites? _confirmedWrites;
    private readonly RedisValue _expireIdleAfter;

    /// <param name="configuration">Where Redis is; the connection starts now and reconnects on its own.</param>
    /// <param name="keyPrefix">Prepended to every key, e.g. <c>orleanschat/room/</c>.</param>
    /// <param name="confirmedWrites">Set when replicas must confirm appends (Chat:Durability:Replicas); owned by the log.</param>
    /// <param name="expireIdleAfter">
    /// The age limit (Chat:History:MaxAge), if any: a room's events and messages expire in Redis this long after its
    /// last append, when every event in them is that old, so a room nobody opens again does not keep them until it
    /// activates; its last seq and epoch stay.
    /// </param>
    public RedisRoomLog(ConfigurationOptions configuration, string keyPrefix, ReplicaConfirmedWrites? confirmedWrites = null, TimeSpan? expireIdleAfter = null)
    {
        _connection = ConnectionMultiplexer.ConnectAsync(configuration);
        _keyPrefix = keyPrefix;
        _confirmedWrites = confirmedWrites;
        _expireIdleAfter = expireIdleAfter is { } after ? (long)after.TotalMilliseconds : RedisValue.EmptyString;
    }

    public async Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxEvents, CancellationToken cancellationToken = default)
    {
        if (_confirmedWrites is not null)
        {
            await _confirmedWrites.ConfirmEarlierWritesAsync().WaitAsync(cancellationToken);
        }

        var database = await DatabaseAsync(cancellationToken);
        var reply = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, Keys(roomId), [maxEvents]).WaitAsync(cancellationToken))!;
        var lastSeq = (long)reply[0];
        var epoch = (string)reply[1]!;
        var entries = (RedisResult[])reply[2]!;
        var messages = (RedisResult[])reply[3]!;
        var events = new RoomEvent[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            // XREVRANGE answers newest first; the snapshot is oldest first.
            events[entries.Length - 1 - i] = Parse(roomId, (RedisResult[])entries[i]!, (string)messages[i]!);
        }

        return new RoomLogSnapshot(lastSeq, epoch.Length == 0 ? null : epoch, events);
    }

    public async Task<RoomLogHead> ReadHeadAsync(string roomId, CancellationToken cancellationToken = default)
    {
        var keys = Keys(roomId);
        var database = await DatabaseAsync(cancellationToken);
        // One MGET: both keys carry the room's hash tag, so they share a slot even on a Redis cluster.
        var values = await database.StringGetAsync([keys[1], keys[2]]).WaitAsync(cancellationToken);
        return new RoomLogHead(values[0].IsNull ? 0 : (long)values[0], values[1].IsNullOrEmpty ? null : (string)values[1]!);
    }

    public async Task<long> AppendAsync(
        string roomId,
        string epoch,
        IReadOnlyList<RoomEvent> events,
        int maxEvents,
        DateTimeOffset? trimBefore = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var expectedLastSeq = events[0].Seq - 1;
        var arguments = new List<RedisValue>(5 + events.Count * 4)
        {
            expectedLastSeq,
            epoch,
            maxEvents,
            trimBefore is { } cutoff ? cutoff.ToUnixTimeMilliseconds() : RedisValue.EmptyString,
            _expireIdleAfter,
        };
        for (var i = 0; i < events.Count; i++)
        {
            var roomEvent = events[i];
            if (roomEvent.Seq != events[0].Seq + i)
            {
                // The script numbers entries itself; seqs that do not run on would be stored under other seqs.
                throw new ArgumentException($"Seqs must be consecutive: {roomEvent.Seq} follows {events[i - 1].Seq}.", nameof(events));
            }

            arguments.Add(KindCode(roomEvent.Kind));
            arguments.Add(roomEvent.Message.Seq);
            arguments.Add(roomEvent.At.ToUnixTimeMilliseconds());
            arguments.Add(JsonSerializer.SerializeToUtf8Bytes(StoredMessage.Of(roomEvent.Message), RoomLogJsonContext.Default.StoredMessage));
        }

        var database = await DatabaseAsync(cancellationToken);
        var reply = (RedisResult[])(await (_confirmedWrites is null
            ? database.ScriptEvaluateAsync(AppendScript, Keys(roomId), [.. arguments])
            : _confirmedWrites.EvaluateAsync(AppendScript, Keys(roomId), [.. arguments])))!;
        if ((long)reply[0] == 0)
        {
            throw new RoomLogConflictException(roomId, expectedLastSeq, (long)reply[1], (string?)reply[2]);
        }

        return (long)reply[1];
    }

    public async Task TrimBeforeAsync(string roomId, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        // Not confirmed by replicas (Chat:Durability:Replicas): a trim a failover loses is done again by the room's
        // next append or activation, and its grain shows none of the trimmed events meanwhile.
        var database = await DatabaseAsync(cancellationToken);
        await database.ScriptEvaluateAsync(TrimScript, Keys(roomId), [cutoff.ToUnixTimeMilliseconds()]).WaitAsync(cancellationToken);
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

    /// <summary>The room's keys, in the order the scripts take them: events, last seq, epoch, messages.</summary>
    public RedisKey[] Keys(string roomId)
    {
        var room = $"{_keyPrefix}{{{roomId}}}";
        return [$"{room}/events", $"{room}/lastseq", $"{room}/epoch", $"{room}/messages"];
    }

    private async Task<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        (await _connection.WaitAsync(cancellationToken)).GetDatabase();

    private static string KindCode(RoomEventKind kind) => kind switch
    {
        RoomEventKind.Message => "m",
        RoomEventKind.Edit => "e",
        RoomEventKind.Delete => "d",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static RoomEvent Parse(string roomId, RedisResult[] entry, string message)
    {
        var id = (string)entry[0]!;
        var seq = long.Parse(id.AsSpan(0, id.IndexOf('-')), CultureInfo.InvariantCulture);
        var fields = (RedisResult[])entry[1]!;
        string? kind = null;
        long messageSeq = 0, at = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string)fields[i]!)
            {
                case KindField: kind = (string)fields[i + 1]!; break;
                case MessageSeqField: messageSeq = (long)fields[i + 1]; break;
                case AtField: at = (long)fields[i + 1]; break;
            }
        }

        var stored = message.Length == 0 ? null : JsonSerializer.Deserialize(message, RoomLogJsonContext.Default.StoredMessage);
        if (stored is null || messageSeq == 0)
        {
            throw new InvalidDataException($"Room '{roomId}' log entry {id} names no stored message.");
        }

        var roomEventKind = kind switch
        {
            "m" => RoomEventKind.Message,
            "e" => RoomEventKind.Edit,
            "d" => RoomEventKind.Delete,
            _ => throw new InvalidDataException($"Room '{roomId}' log entry {id} has an unknown kind '{kind}'."),
        };
        return new RoomEvent(seq, roomEventKind, DateTimeOffset.FromUnixTimeMilliseconds(at), stored.ToMessage(roomId, messageSeq));
    }
}
