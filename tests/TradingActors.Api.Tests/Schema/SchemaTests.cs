using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TradingActors.Api.Identity;
using TradingActors.Api.Schema;
using TradingActors.Api.Tests.Infrastructure;

namespace TradingActors.Api.Tests.Schema;

/// <summary>The SQL migrations and the EF model of Identity's store describe the same tables.</summary>
public sealed class SchemaTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        SchemaMigrations.Migrate(_db.ConnectionString, NullLogger.Instance);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private TraderDbContext Context() => new(new DbContextOptionsBuilder<TraderDbContext>()
        .UseNpgsql(_db.ConnectionString).UseSnakeCaseNamingConvention().Options);

    [Fact]
    public async Task Every_mapped_column_exists_in_the_migrated_schema_with_the_same_nullability()
    {
        await using var context = Context();
        var columns = new Dictionary<(string Table, string Column), bool>();
        await using (var connection = new NpgsqlConnection(_db.ConnectionString))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT table_name, column_name, is_nullable = 'YES' FROM information_schema.columns WHERE table_schema = 'public'", connection);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
        }

        var mapped = 0;
        foreach (var entity in context.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(store)!;
                Assert.True(columns.TryGetValue((table, column), out var nullable), $"{table}.{column} is mapped but not migrated");
                Assert.True(nullable == property.IsNullable, $"{table}.{column}: nullable {nullable} in SQL, {property.IsNullable} in the model");
                mapped++;
            }
        }
        Assert.True(mapped > 50, $"only {mapped} columns mapped");
        // And no migrated API table is unknown to the model (the engine's journal tables are not the API's), except
        // the migration journal, the idempotency keys (Http/IdempotencyKeys) and billing's tables (Billing/BillingStore), written with plain SQL.
        var modelTables = context.Model.GetEntityTypes().Select(e => e.GetTableName()).ToHashSet();
        string[] plainSql = ["billing_customers", "idempotency_keys", "invoices", "schema_versions", "stripe_events"];
        Assert.Equal(
            ["audit", "billing_customers", "email_tokens", "idempotency_keys", "invoices", "refresh_tokens", "role_claims", "roles", "schema_versions", "stripe_events", "terms_acceptances", "user_claims", "user_logins", "user_roles", "user_tokens", "users"],
            columns.Keys.Select(k => k.Table).Distinct().Order());
        Assert.All(columns.Keys.Select(k => k.Table).Distinct().Where(t => !plainSql.Contains(t)), t => Assert.Contains(t, modelTables));
    }

    [Fact]
    public async Task Every_entity_round_trips_through_the_migrated_tables()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 30, 15, TimeSpan.Zero).AddTicks(1230); // microseconds survive
        var userId = Guid.NewGuid();
        await using (var context = Context())
        {
            var role = await context.Roles.SingleAsync(r => r.NormalizedName == "SUPER_ADMIN");
            context.Users.Add(new TraderUser
            {
                Id = userId, Email = "a@example.test", NormalizedEmail = "A@EXAMPLE.TEST", UserName = "a@example.test", NormalizedUserName = "A@EXAMPLE.TEST",
                EmailConfirmed = true, PasswordHash = "$2a$12$hash", SecurityStamp = "stamp", ConcurrencyStamp = "c", PhoneNumber = "+1",
                PhoneNumberConfirmed = true, TwoFactorEnabled = true, LockoutEnd = now, LockoutEnabled = true, AccessFailedCount = 3,
                CreatedAt = now, TenantProvisionedAt = now,
            });
            context.UserRoles.Add(new IdentityUserRole<Guid> { UserId = userId, RoleId = role.Id });
            context.UserClaims.Add(new IdentityUserClaim<Guid> { UserId = userId, ClaimType = "t", ClaimValue = "v" });
            context.UserLogins.Add(new IdentityUserLogin<Guid> { UserId = userId, LoginProvider = "p", ProviderKey = "k", ProviderDisplayName = "P" });
            context.UserTokens.Add(new IdentityUserToken<Guid> { UserId = userId, LoginProvider = "[AspNetUserStore]", Name = "AuthenticatorKey", Value = "K" });
            context.RoleClaims.Add(new IdentityRoleClaim<Guid> { RoleId = role.Id, ClaimType = "t", ClaimValue = "v" });
            context.RefreshTokens.Add(new RefreshToken
            {
                Id = Guid.NewGuid(), FamilyId = Guid.NewGuid(), UserId = userId, TokenHash = [1, 2, 3], CreatedAt = now, ExpiresAt = now.AddDays(7),
                UsedAt = now, RevokedAt = now, RevokedReason = "reused", Device = "laptop", IpAddress = "127.0.0.1", UserAgent = "ua",
            });
            context.EmailTokens.Add(new EmailToken { Id = Guid.NewGuid(), UserId = userId, Purpose = EmailTokenPurposes.ResetPassword, TokenHash = [4], CreatedAt = now, ExpiresAt = now, UsedAt = now });
            context.TermsAcceptances.Add(new TermsAcceptance { Id = Guid.NewGuid(), UserId = userId, Document = TermsDocuments.RiskDisclosure, Version = "v1", AcceptedAt = now, IpAddress = "::1" });
            context.Audit.Add(new AuditEntry { UserId = userId, Kind = AuditKinds.LoginFailed, OccurredAt = now, IpAddress = "::1", Detail = "d" });
            await context.SaveChangesAsync();
        }

        await using (var context = Context())
        {
            var user = await context.Users.SingleAsync(u => u.Id == userId);
            Assert.Equal(("a@example.test", "A@EXAMPLE.TEST", "$2a$12$hash", now, now, 3, true), (user.Email, user.NormalizedEmail, user.PasswordHash, user.LockoutEnd, user.TenantProvisionedAt, user.AccessFailedCount, user.TwoFactorEnabled));
            Assert.Equal("SUPER_ADMIN", (await context.Roles.SingleAsync(r => r.Id == context.UserRoles.Single(ur => ur.UserId == userId).RoleId)).NormalizedName);
            Assert.Equal("v", (await context.UserClaims.SingleAsync(c => c.UserId == userId)).ClaimValue);
            Assert.Equal("P", (await context.UserLogins.SingleAsync(l => l.UserId == userId)).ProviderDisplayName);
            Assert.Equal("K", (await context.UserTokens.SingleAsync(t => t.UserId == userId)).Value);
            Assert.Equal("v", (await context.RoleClaims.SingleAsync()).ClaimValue);
            var refresh = await context.RefreshTokens.SingleAsync(t => t.UserId == userId);
            Assert.Equal(new byte[] { 1, 2, 3 }, refresh.TokenHash);
            Assert.Equal((now, "reused", "laptop", "ua"), (refresh.UsedAt!.Value, refresh.RevokedReason, refresh.Device, refresh.UserAgent));
            Assert.Equal(EmailTokenPurposes.ResetPassword, (await context.EmailTokens.SingleAsync(t => t.UserId == userId)).Purpose);
            Assert.Equal("v1", (await context.TermsAcceptances.SingleAsync(t => t.UserId == userId)).Version);
            var audit = await context.Audit.SingleAsync(a => a.UserId == userId);
            Assert.True(audit.Id > 0);
            Assert.Equal((AuditKinds.LoginFailed, now, "d"), (audit.Kind, audit.OccurredAt, audit.Detail));
        }
    }

    [Fact]
    public async Task Migrations_run_once_each_and_a_second_start_changes_nothing()
    {
        SchemaMigrations.Migrate(_db.ConnectionString, NullLogger.Instance);
        // One journal row per embedded script (0001_identity, 0002_two_factor_and_sessions, 0003_idempotency_keys, 0004_audit_row_level_security, 0005_billing).
        var scripts = typeof(SchemaMigrations).Assembly.GetManifestResourceNames().Count(n => n.EndsWith(".sql", StringComparison.Ordinal));
        Assert.Equal(5, scripts);
        Assert.Equal(scripts, await _db.ScalarAsync("SELECT count(*) FROM schema_versions"));
        Assert.Equal(3, await _db.ScalarAsync("SELECT count(*) FROM roles"));
        // The SQL keeps one account per email (Identity's default index is not unique).
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        const string insert = "INSERT INTO users (id, created_at, email, normalized_email, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count) VALUES (gen_random_uuid(), now(), 'x', 'X@Y', false, false, false, true, 0)";
        await using (var first = new NpgsqlCommand(insert, connection)) await first.ExecuteNonQueryAsync();
        await using var second = new NpgsqlCommand(insert, connection);
        await Assert.ThrowsAsync<PostgresException>(() => second.ExecuteNonQueryAsync());
    }
}
