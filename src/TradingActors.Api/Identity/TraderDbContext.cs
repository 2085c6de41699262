using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace TradingActors.Api.Identity;

/// <summary>
/// Identity's EF store mapped onto the tables the SQL migrations create (Migrations/*.sql): EF never
/// creates or alters the schema. Column names come from the snake_case naming convention.
/// </summary>
public sealed class TraderDbContext(DbContextOptions<TraderDbContext> options)
    : IdentityDbContext<TraderUser, TraderRole, Guid>(options)
{
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<EmailToken> EmailTokens => Set<EmailToken>();
    public DbSet<TermsAcceptance> TermsAcceptances => Set<TermsAcceptance>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<TraderUser>(e =>
        {
            e.ToTable("users");
            e.Ignore(u => u.TenantId);
            // Only Authenticator's conditional UPDATE writes it: Identity's UpdateAsync saves every column
            // of the (possibly stale) user, which would otherwise roll the replay guard back.
            e.Property(u => u.AuthenticatorLastTimeStep).Metadata.SetAfterSaveBehavior(Microsoft.EntityFrameworkCore.Metadata.PropertySaveBehavior.Ignore);
        });
        builder.Entity<TraderRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");

        builder.Entity<RefreshToken>(e =>
        {
            e.ToTable("refresh_tokens");
            e.HasOne<TraderUser>().WithMany().HasForeignKey(t => t.UserId);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.FamilyId);
            e.HasIndex(t => t.UserId);
        });
        builder.Entity<EmailToken>(e =>
        {
            e.ToTable("email_tokens");
            e.HasOne<TraderUser>().WithMany().HasForeignKey(t => t.UserId);
            e.HasIndex(t => t.TokenHash).IsUnique();
        });
        builder.Entity<TermsAcceptance>(e =>
        {
            e.ToTable("terms_acceptances");
            e.HasOne<TraderUser>().WithMany().HasForeignKey(t => t.UserId);
        });
        builder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit");
            e.HasIndex(a => new { a.UserId, a.Kind, a.OccurredAt });
        });
    }
}
