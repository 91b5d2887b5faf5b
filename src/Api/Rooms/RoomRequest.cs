using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansChat.Api.Rooms;

/// <summary>Parsing and checking of the room id and the numbers in a room's URLs.</summary>
internal static partial class RoomRequest
{
    public static bool IsValidRoomId(string roomId) => RoomIdPattern().IsMatch(roomId);

    /// <summary>Parses a seq or count: decimal digits only (no sign, no spaces), within range.</summary>
    public static bool TryParseNumber(string value, long max, out long number) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number <= max;

    /// <summary>Like <see cref="TryParseNumber"/>, where an absent value is valid and stays null.</summary>
    public static bool TryParseOptional(string? value, long max, out long? number)
    {
        number = null;
        if (value is null)
        {
            return true;
        }

        if (!TryParseNumber(value, max, out var parsed))
        {
            return false;
        }

        number = parsed;
        return true;
    }

    /// <summary>
    /// Parses an event id <c>{seq}-{epoch}</c> (epoch: 1–16 of <c>[A-Za-z0-9]</c>) or a bare <c>{seq}</c>, whose epoch
    /// stays null.
    /// </summary>
    public static bool TryParseResumePoint(string value, out long seq, out string? epoch)
    {
        var dash = value.IndexOf('-');
        epoch = dash < 0 ? null : value[(dash + 1)..];
        return TryParseNumber(dash < 0 ? value : value[..dash], long.MaxValue, out seq)
            && (epoch is null || EpochPattern().IsMatch(epoch));
    }

    // \z rather than $: $ also matches before a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoomIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]{1,16}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EpochPattern();
}
