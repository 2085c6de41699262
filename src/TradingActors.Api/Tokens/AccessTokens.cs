using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Tokens;

/// <summary>The HMAC key access tokens are signed with: configured (shared by all API nodes) or random for this process.</summary>
public sealed class AccessTokenKey
{
    public AccessTokenKey(IOptions<TraderApiOptions> options, ILogger<AccessTokenKey> log)
    {
        var configured = options.Value.Jwt.SigningKeyBytes();
        if (configured is { Length: >= 32 }) Key = new SymmetricSecurityKey(configured);
        else
        {
            log.LogWarning("Trading:Api:Jwt:SigningKey is not set: access tokens are signed with a random key of this process (they end with it and other nodes refuse them)");
            Key = new SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        }
    }

    public SymmetricSecurityKey Key { get; }
}

public sealed record IssuedAccessToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>Short-lived JWT access tokens (15 minutes by default), timed by the injected clock.</summary>
public sealed class AccessTokens(AccessTokenKey key, IOptions<TraderApiOptions> options, TimeProvider time)
{
    public const string TenantClaim = "tenant";
    public const string SessionClaim = "sid";

    public IssuedAccessToken Issue(TraderUser user, IEnumerable<string> roles, Guid sessionFamily)
    {
        var jwt = options.Value.Jwt;
        var now = time.GetUtcNow();
        var expires = now + jwt.AccessTokenLifetime;
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            new(TenantClaim, user.TenantId),
            new(SessionClaim, sessionFamily.ToString()),
        };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedAccessToken(token, expires);
    }
}
