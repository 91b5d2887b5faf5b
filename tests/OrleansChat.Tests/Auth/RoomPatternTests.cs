using OrleansChat.Api.Auth;

namespace OrleansChat.Tests.Auth;

public sealed class RoomPatternTests
{
    [Theory]
    [InlineData("lobby", "lobby", true)]
    [InlineData("lobby", "lobby2", false)]
    [InlineData("lobby", "Lobby", false)]
    [InlineData("team-*", "team-", true)]
    [InlineData("team-*", "team-a", true)]
    [InlineData("team-*", "team", false)]
    [InlineData("team-*", "xteam-a", false)]
    [InlineData("*", "anything.at_all-1", true)]
    [InlineData("lob*y", "lobby", false)]
    [InlineData("", "lobby", false)]
    [InlineData("**", "lobby", false)]
    public void A_pattern_matches_exactly_by_prefix_or_everything(string pattern, string roomId, bool matches)
    {
        Assert.Equal(matches, RoomPattern.Matches(pattern, roomId));
    }

    [Theory]
    [InlineData("lobby", true)]
    [InlineData("team-*", true)]
    [InlineData("*", true)]
    [InlineData("", false)]
    [InlineData("-team*", false)]
    [InlineData("a b", false)]
    [InlineData("t*m", false)]
    public void A_pattern_is_a_room_id_a_room_id_prefix_with_a_star_or_a_star(string pattern, bool valid)
    {
        Assert.Equal(valid, RoomPattern.IsValid(pattern));
    }

    [Theory]
    [InlineData("?access_token=abc.def.ghi", "?access_token=redacted", "abc.def.ghi")]
    [InlineData("?lastEventId=3&access_token=a.b.c&x=1", "?lastEventId=3&access_token=redacted&x=1", "a.b.c")]
    [InlineData("?ACCESS_TOKEN=a.b.c", "?access_token=redacted", "a.b.c")]
    [InlineData("?access%5Ftoken=a.b.c", "?access_token=redacted", "a.b.c")]
    [InlineData("?access_token=a&access_token=b", "?access_token=redacted&access_token=redacted", "a,b")]
    public void The_access_token_query_parameter_is_redacted_in_every_spelling(string query, string redacted, string token)
    {
        Assert.Equal(redacted, AccessTokenQuery.Redact(query, out var found));
        Assert.Equal(token, found);
    }

    [Fact]
    public void A_query_without_an_access_token_is_left_alone()
    {
        Assert.Null(AccessTokenQuery.Redact("?lastEventId=3&token=x", out var token));
        Assert.Null(token);
    }
}
