using System.Security.Cryptography;

namespace OrleansChat;

/// <summary>Names a room log: a new one each time a room's log starts from nothing.</summary>
internal static class RoomEpoch
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// 8 random characters of <c>[A-Za-z0-9]</c> (~47 bits): two logs of one room that share an epoch by chance are
    /// not a practical concern.
    /// </summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, 8);
}
