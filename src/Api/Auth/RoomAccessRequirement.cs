using Microsoft.AspNetCore.Authorization;

namespace OrleansChat.Api.Auth;

/// <summary>The request needs one of <see cref="Rights"/> on the room named by the route's <c>roomId</c>.</summary>
internal sealed class RoomAccessRequirement(params RoomRight[] rights) : IAuthorizationRequirement
{
    public IReadOnlyList<RoomRight> Rights { get; } = rights;
}
