using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TradingActors.Api.Identity;

/// <summary>
/// Identity's UserManager with the injected clock: in .NET 10 UserManager.IsLockedOutAsync compares the
/// lockout end with DateTimeOffset.UtcNow, so lockout and its expiry would not follow a TimeProvider.
/// Lockout itself is decided by <see cref="Auth.LoginLockout"/> (a sliding window of failures).
/// </summary>
public sealed class TraderUserManager(
    IUserStore<TraderUser> store,
    IOptions<IdentityOptions> optionsAccessor,
    IPasswordHasher<TraderUser> passwordHasher,
    IEnumerable<IUserValidator<TraderUser>> userValidators,
    IEnumerable<IPasswordValidator<TraderUser>> passwordValidators,
    ILookupNormalizer keyNormalizer,
    IdentityErrorDescriber errors,
    IServiceProvider services,
    ILogger<UserManager<TraderUser>> logger,
    TimeProvider time)
    : UserManager<TraderUser>(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
{
    public override Task<bool> IsLockedOutAsync(TraderUser user) =>
        Task.FromResult(user.LockoutEnabled && user.LockoutEnd is { } end && end > time.GetUtcNow());

    /// <summary>How long the user stays locked out (zero when not locked).</summary>
    public TimeSpan LockedFor(TraderUser user) =>
        user.LockoutEnabled && user.LockoutEnd is { } end && end > time.GetUtcNow() ? end - time.GetUtcNow() : TimeSpan.Zero;
}
