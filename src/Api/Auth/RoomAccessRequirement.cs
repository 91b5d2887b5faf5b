using Microsoft.AspNetCore.Authorization;

namespace OrleansChat.Api.Auth;

/// <summary>The request needs <see cref="Right"/> on the room named by the route's <c>roomId</c>.</summary>
internal sealed class RoomAccessRequirement(RoomRight right) : IAuthorizationRequirement
{
    public RoomRight Right { get; } = right;
}
