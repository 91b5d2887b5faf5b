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

    // \z rather than $: $ also matches before a trailing newline.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoomIdPattern();
}
