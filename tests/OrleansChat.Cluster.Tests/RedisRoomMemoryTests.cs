using System.Globalization;
using OrleansChat.Cluster.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// What a full room costs in Redis on the event log's layout, written by the room log's own append script: rooms of
/// 1,000 messages (the default Chat:History:MaxMessages) as a page would post them, measured by the server's
/// used_memory before and after, and by MEMORY USAGE of one room's keys. The figures go to the test output and
/// measurements.log; bench/redis-memory.sh runs it with more rooms (CHAT_MEMORY_ROOMS).
/// </summary>
public sealed class RedisRoomMemoryTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const int MessagesPerRoom = 1000;
    private const int Batch = 100;

    [Theory]
    [InlineData(40)]
    [InlineData(200)]
    public async Task A_full_room_costs_little_more_than_its_texts(int textLength)
    {
        var rooms = Setting("CHAT_MEMORY_ROOMS", 20);
        var prefix = $"test/memory-{textLength}/";
        await using var log = new RedisRoomLog(redis.Configuration.Clone(), prefix);
        var adminOptions = redis.Configuration.Clone();
        // INFO is an admin command to StackExchange.Redis.
        adminOptions.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(adminOptions);
        var before = await UsedMemoryAsync(admin);

        for (var room = 0; room < rooms; room += 4)
        {
            await Task.WhenAll(Enumerable.Range(room, Math.Min(4, rooms - room)).Select(r => FillAsync(log, $"room-{r}", textLength)));
        }

        var perRoom = (double)(await UsedMemoryAsync(admin) - before) / rooms;
        var keys = log.Keys("room-0");
        var usages = new long[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            usages[i] = (long)await admin.GetDatabase().ExecuteAsync("MEMORY", "USAGE", keys[i], "SAMPLES", "0");
        }

        var byKey = string.Join(", ", keys.Select((key, i) => $"{((string)key!)[((string)key!).LastIndexOf('/')..]} {usages[i]} B"));
        Measurements.Record(output, FormattableString.Invariant(
            $"redis memory: {rooms} rooms x {MessagesPerRoom} messages of {textLength} characters: used_memory {perRoom / 1024:F1} KiB per room ({perRoom / MessagesPerRoom:F0} B per message); one room's keys by MEMORY USAGE: {byKey}"));
        // The text is stored once; what comes on top (the event entry, the JSON's other fields, the hash's two fields
        // per message) measured 250–320 B.
        Assert.InRange(perRoom / MessagesPerRoom, textLength, textLength + 400);
    }

    private static async Task FillAsync(RedisRoomLog log, string roomId, int textLength)
    {
        var createdAt = DateTimeOffset.UtcNow;
        for (var from = 1; from <= MessagesPerRoom; from += Batch)
        {
            var events = Enumerable.Range(from, Batch).Select(seq => RoomEvent.Posted(new ChatMessage(
                roomId,
                seq,
                $"user-{seq % 50:D4}",
                Text(seq, textLength),
                createdAt.AddSeconds(seq),
                Guid.NewGuid().ToString(),
                $"User {seq % 50}"))).ToArray();
            await log.AppendAsync(roomId, "memEpoch", events, MessagesPerRoom);
        }
    }

    /// <summary>Text of the given length that differs per message, as chat does (no shared strings).</summary>
    private static string Text(int seq, int length) =>
        string.Create(length, seq, static (span, seed) =>
        {
            var random = new Random(seed);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = i % 6 == 5 ? ' ' : (char)('a' + random.Next(26));
            }
        });

    private static async Task<long> UsedMemoryAsync(ConnectionMultiplexer admin)
    {
        var info = await admin.GetServers()[0].InfoAsync("memory");
        return long.Parse(info.SelectMany(group => group).Single(pair => pair.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
