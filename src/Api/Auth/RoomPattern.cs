using System.Text.RegularExpressions;

namespace OrleansChat.Api.Auth;

/// <summary>A room pattern of a permission: an exact room id, a prefix ending in <c>*</c>, or <c>*</c> alone.</summary>
internal static partial class RoomPattern
{
    public const string Any = "*";

    public static bool IsValid(string pattern) =>
        pattern == Any || (pattern.EndsWith('*') ? PrefixPattern().IsMatch(pattern.AsSpan(0, pattern.Length - 1)) : RoomIdPattern().IsMatch(pattern));

    /// <summary>Case-sensitive, as room ids are; a pattern that is not valid matches nothing.</summary>
    public static bool Matches(string pattern, string roomId) =>
        IsValid(pattern) && (pattern.EndsWith('*') ? roomId.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal) : pattern == roomId);

    public static bool AnyMatches(IEnumerable<string> patterns, string roomId) => patterns.Any(pattern => Matches(pattern, roomId));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex RoomIdPattern();

    // A prefix of a room id: one character shorter at most, so that something can follow it.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex PrefixPattern();
}
