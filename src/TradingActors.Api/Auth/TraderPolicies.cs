namespace TradingActors.Api.Auth;

/// <summary>Roles and the authorization policies every route names. Higher roles include the lower ones.</summary>
public static class TraderPolicies
{
    public const string User = "user";
    public const string Admin = "admin";
    public const string SuperAdmin = "super_admin";

    public static readonly string[] Roles = [User, Admin, SuperAdmin];

    public const string LoginRateLimit = "login-per-ip";

    /// <summary>Every signed-in route: a token bucket per user (anonymous callers by address).</summary>
    public const string UserRateLimit = "per-user";
}
