using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace TradingActors.Api.Identity;

/// <summary>
/// Identity's password hasher, backed by bcrypt (BCrypt.Net-Next). The "enhanced" form hashes the
/// password with SHA-384 first, so passwords longer than bcrypt's 72-byte input are not truncated.
/// A hash made with a lower work factor than configured is reported for rehash, and Identity rehashes it
/// at the next successful login.
/// </summary>
public sealed class BcryptPasswordHasher(IOptions<TraderApiOptions> options) : IPasswordHasher<TraderUser>
{
    private const BCrypt.Net.HashType PreHash = BCrypt.Net.HashType.SHA384;

    public string HashPassword(TraderUser user, string password) =>
        BCrypt.Net.BCrypt.EnhancedHashPassword(password, PreHash, options.Value.BcryptWorkFactor);

    public PasswordVerificationResult VerifyHashedPassword(TraderUser user, string hashedPassword, string providedPassword)
    {
        bool valid;
        try { valid = BCrypt.Net.BCrypt.EnhancedVerify(providedPassword, hashedPassword, PreHash); }
        catch (BCrypt.Net.SaltParseException) { return PasswordVerificationResult.Failed; }
        if (!valid) return PasswordVerificationResult.Failed;
        return BCrypt.Net.BCrypt.PasswordNeedsRehash(hashedPassword, options.Value.BcryptWorkFactor)
            ? PasswordVerificationResult.SuccessRehashNeeded
            : PasswordVerificationResult.Success;
    }
}
