using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace TradingActors.Api.Identity;

/// <summary>
/// Identity's EF user store, except that recovery codes are kept hashed: the base store joins the codes in
/// clear into user_tokens. Here each code becomes HMAC-SHA256(user id, code) before the base stores it,
/// and a code presented for redemption is hashed the same way before the base looks it up and removes it.
/// UserManager.GenerateNewTwoFactorRecoveryCodesAsync still returns the clear codes (shown once).
/// </summary>
public sealed class TraderUserStore(TraderDbContext context, IdentityErrorDescriber? describer = null)
    : UserStore<TraderUser, TraderRole, TraderDbContext, Guid>(context, describer)
{
    public override Task ReplaceCodesAsync(TraderUser user, IEnumerable<string> recoveryCodes, CancellationToken cancellationToken = default) =>
        base.ReplaceCodesAsync(user, recoveryCodes.Select(c => Hash(user, c)).ToList(), cancellationToken);

    // Not through the base: it would pass the remaining (already hashed) codes to ReplaceCodesAsync above.
    public override async Task<bool> RedeemCodeAsync(TraderUser user, string code, CancellationToken cancellationToken = default)
    {
        var hashes = (await GetTokenAsync(user, StoreLoginProvider, RecoveryCodesName, cancellationToken) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var hash = Hash(user, code);
        if (!hashes.Contains(hash, StringComparer.Ordinal)) return false;
        await SetTokenAsync(user, StoreLoginProvider, RecoveryCodesName, string.Join(';', hashes.Where(h => h != hash)), cancellationToken);
        return true;
    }

    // Where the base store keeps the codes (its constants are private).
    private const string StoreLoginProvider = "[AspNetUserStore]";
    private const string RecoveryCodesName = "RecoveryCodes";

    // Keyed by the user id, so equal codes of two users hash differently; ';' never occurs in hex (the base joins with it).
    private static string Hash(TraderUser user, string code) =>
        Convert.ToHexString(HMACSHA256.HashData(user.Id.ToByteArray(), Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant())));
}
