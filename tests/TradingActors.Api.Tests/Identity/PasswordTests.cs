using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TradingActors.Api.Identity;

namespace TradingActors.Api.Tests.Identity;

public sealed class PasswordTests
{
    private static readonly BcryptPasswordHasher Hasher = new(Options.Create(new TraderApiOptions { BcryptWorkFactor = 12 }));
    private static readonly TraderUser User = new();

    [Fact]
    public void A_bcrypt_hash_at_work_factor_12_verifies_the_password_and_refuses_any_other()
    {
        var hash = Hasher.HashPassword(User, "a long enough passphrase");
        Assert.StartsWith("$2", hash);
        Assert.Contains("$12$", hash);
        Assert.Equal(PasswordVerificationResult.Success, Hasher.VerifyHashedPassword(User, hash, "a long enough passphrase"));
        Assert.Equal(PasswordVerificationResult.Failed, Hasher.VerifyHashedPassword(User, hash, "a long enough passphrasE"));
        Assert.Equal(PasswordVerificationResult.Failed, Hasher.VerifyHashedPassword(User, "not a bcrypt hash", "a long enough passphrase"));
    }

    [Fact]
    public void A_hash_with_a_lower_work_factor_verifies_and_asks_to_be_rehashed()
    {
        var weaker = BCrypt.Net.BCrypt.EnhancedHashPassword("a long enough passphrase", BCrypt.Net.HashType.SHA384, 10);
        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, Hasher.VerifyHashedPassword(User, weaker, "a long enough passphrase"));
    }

    [Fact]
    public void Passphrases_longer_than_bcrypts_72_bytes_are_not_truncated()
    {
        var long1 = new string('a', 80) + "1";
        var hash = Hasher.HashPassword(User, long1);
        Assert.Equal(PasswordVerificationResult.Failed, Hasher.VerifyHashedPassword(User, hash, new string('a', 80) + "2"));
    }

    [Fact]
    public void The_shipped_list_holds_ten_thousand_common_passwords_compared_case_insensitively()
    {
        var common = new CommonPasswords();
        Assert.Equal(10_000, common.Count);
        Assert.True(common.Contains("password"));
        Assert.True(common.Contains("QwErTy123456"));
        Assert.False(common.Contains("a long enough passphrase"));
    }
}
