using Microsoft.AspNetCore.Identity;

namespace TradingActors.Api.Identity;

/// <summary>The shipped list of common passwords (Identity/common-passwords.txt), compared case-insensitively.</summary>
public sealed class CommonPasswords
{
    private readonly HashSet<string> _passwords;

    public CommonPasswords()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("TradingActors.Api.common-passwords.txt")
            ?? throw new InvalidOperationException("the common password list is not embedded");
        using var reader = new StreamReader(stream);
        _passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) _passwords.Add(line);
    }

    public int Count => _passwords.Count;

    public bool Contains(string password) => _passwords.Contains(password);
}

/// <summary>
/// What Identity's own validator does not check: the password is not a common one and is not the
/// email (nor contains it, nor its part before the @). Length is Identity's RequiredLength.
/// </summary>
public sealed class TraderPasswordPolicy(CommonPasswords common) : IPasswordValidator<TraderUser>
{
    public const int MaxLength = 256;

    public Task<IdentityResult> ValidateAsync(UserManager<TraderUser> manager, TraderUser user, string? password)
    {
        var errors = new List<IdentityError>();
        password ??= "";
        if (password.Length > MaxLength)
            errors.Add(new IdentityError { Code = "PasswordTooLong", Description = $"Passwords must be at most {MaxLength} characters." });
        if (common.Contains(password) || common.Contains(password.Trim()))
            errors.Add(new IdentityError { Code = "PasswordTooCommon", Description = "This password is on the list of common passwords; choose another." });
        if (user.Email is { Length: > 0 } email)
        {
            var local = email.Split('@')[0];
            if (password.Contains(email, StringComparison.OrdinalIgnoreCase)
                || (local.Length >= 3 && password.Contains(local, StringComparison.OrdinalIgnoreCase)))
                errors.Add(new IdentityError { Code = "PasswordContainsEmail", Description = "Passwords must not be or contain the email address." });
        }
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed(errors.ToArray()));
    }
}
