using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Billing;
using TradingActors.Api.Demo;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Mail;
using TradingActors.Api.Schema;
using TradingActors.Api.Tenancy;
using TradingActors.Api.Tokens;
using TradingActors.Api.Trading;

namespace TradingActors.Api;

public static class TraderApi
{
    /// <summary>
    /// The trader API's services: schema migrations (first), Identity on PostgreSQL, JWT bearer
    /// authentication, role policies, the login rate limit, mail, the OpenAPI document. Options are validated here, at start.
    /// </summary>
    public static IServiceCollection AddTraderApi(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration["Trading:ConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString)) throw new ArgumentException("Trading:ConnectionString is required");
        var api = configuration.GetSection(TraderApiOptions.Section).Get<TraderApiOptions>() ?? new TraderApiOptions();
        api.Validate();
        var mail = configuration.GetSection(MailOptions.Section).Get<MailOptions>() ?? new MailOptions();
        mail.Validate();
        services.Configure<TraderApiOptions>(configuration.GetSection(TraderApiOptions.Section));
        services.Configure<MailOptions>(configuration.GetSection(MailOptions.Section));

        // Registered first: its StartingAsync completes before any other service starts.
        services.AddHostedService(sp => new SchemaMigrations(connectionString, sp.GetRequiredService<ILogger<SchemaMigrations>>()));

        services.TryAddSingleton(TimeProvider.System);
        services.AddDbContext<TraderDbContext>(o => o.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        services.AddIdentityCore<TraderUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = ""; // the user name is the email
                o.Password.RequiredLength = api.MinPasswordLength;
                o.Password.RequiredUniqueChars = 1;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = api.LockoutFailures;
                o.Lockout.DefaultLockoutTimeSpan = api.LockoutDuration;
            })
            .AddRoles<TraderRole>()
            .AddEntityFrameworkStores<TraderDbContext>()
            .AddUserManager<TraderUserManager>()
            .AddPasswordValidator<TraderPasswordPolicy>()
            // Identity's key generation (ResetAuthenticatorKeyAsync) goes through this provider; codes are checked by Authenticator.
            .AddTokenProvider<AuthenticatorTokenProvider<TraderUser>>(TokenOptions.DefaultAuthenticatorProvider);
        // Recovery codes stored hashed (the EF store keeps them in clear).
        services.Replace(ServiceDescriptor.Scoped<IUserStore<TraderUser>, TraderUserStore>());
        services.Replace(ServiceDescriptor.Scoped<IPasswordHasher<TraderUser>, BcryptPasswordHasher>());
        services.AddSingleton<CommonPasswords>();

        services.AddSingleton<AccessTokenKey>();
        services.AddSingleton<AccessTokens>();
        services.AddScoped<RefreshTokens>();
        services.AddScoped<MailedTokens>();
        services.AddScoped<AuditTrail>();
        services.AddScoped<LoginLockout>();
        services.AddScoped<Authenticator>();
        services.AddSingleton<TenantProvisioning>();
        // Trading reads: as the reader role (row level security), through a login of its own when one is configured.
        var readerConnection = configuration["Trading:Api:ReaderConnectionString"];
        var owner = NpgsqlDataSource.Create(WithAutoPrepare(connectionString));
        services.AddSingleton(new ApiDataSources(owner,
            TenantReads.CreateSource(WithAutoPrepare(string.IsNullOrWhiteSpace(readerConnection) ? connectionString : readerConnection))));
        services.AddSingleton(sp => new TenantReads(sp.GetRequiredService<ApiDataSources>().Reader, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TenantFeedListener>();
        services.AddSingleton<PlanRateTiers>();
        services.AddSingleton<BillingStore>();
        services.AddSingleton<UserTenants>();
        // Stripe (decisions 033, 034): on when the deployment has keys; the routes answer 503 billing-unavailable otherwise.
        var stripe = configuration.GetSection(TradingActors.Billing.StripeBillingOptions.Section).Get<TradingActors.Billing.StripeBillingOptions>();
        if (!string.IsNullOrEmpty(stripe?.SecretKey))
        {
            stripe.Validate();
            services.AddSingleton(stripe);
            services.AddSingleton(new TradingActors.Billing.StripeBilling(stripe));
            services.AddSingleton(sp => new TradingActors.Billing.StripeWebhookVerifier(stripe, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<StripeWebhooks>();
        }
        services.AddHostedService(sp => sp.GetRequiredService<TenantFeedListener>());
        services.AddSingleton(sp => new IdempotencyKeys(sp.GetRequiredService<ApiDataSources>().Owner, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RequestBodies>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<AccessTokenKey, TimeProvider>((o, key, time) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = api.Jwt.Issuer,
                    ValidAudience = api.Jwt.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    // Expiry by the injected clock (IdentityModel's own check reads the system clock).
                    LifetimeValidator = (notBefore, expires, _, _) =>
                    {
                        var now = time.GetUtcNow().UtcDateTime;
                        return expires is { } e && e > now && (notBefore is not { } nb || nb <= now);
                    },
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(TraderPolicies.User, p => p.RequireAuthenticatedUser().RequireRole(TraderPolicies.User, TraderPolicies.Admin, TraderPolicies.SuperAdmin))
            .AddPolicy(TraderPolicies.Admin, p => p.RequireAuthenticatedUser().RequireRole(TraderPolicies.Admin, TraderPolicies.SuperAdmin))
            .AddPolicy(TraderPolicies.SuperAdmin, p => p.RequireAuthenticatedUser().RequireRole(TraderPolicies.SuperAdmin))
            // A route that names no policy and is not explicitly anonymous still needs a signed-in caller.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(TraderPolicies.LoginRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = api.LoginAttemptsPerIpPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            // Per user, by their plan's tier (decision 032): a tier change starts a fresh bucket of the new size.
            o.AddPolicy(TraderPolicies.UserRateLimit, http =>
            {
                var tier = http.Items[PlanRateTiers.ItemKey] as Domain.Billing.ApiRateTier ?? api.Tier(Domain.Billing.Plan.Legacy.ApiRateTier);
                return RateLimitPartition.GetTokenBucketLimiter(
                    (http.User.FindFirst("sub")?.Value is { } user ? "user:" + user : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"))
                        + "/" + tier.Name + "/" + tier.RequestsPerSecond.ToString(CultureInfo.InvariantCulture) + "/" + tier.Burst.ToString(CultureInfo.InvariantCulture),
                    _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = tier.Burst,
                        TokensPerPeriod = tier.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Status(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                    "Too many requests; try again later.").ExecuteAsync(context.HttpContext);
            };
        });

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => RequestBodies.Configure(o.SerializerOptions));
        services.AddTraderOpenApi();

        services.AddSingleton<MailOutbox>();
        services.AddSingleton<TraderMails>();
        services.AddSingleton<HostedMailSink>();
        services.AddHostedService(sp => sp.GetRequiredService<HostedMailSink>());
        services.AddHostedService<MailSender>();
        services.AddHostedService<DemoTrader>();
        return services;
    }

    /// <summary>
    /// The API's own statements are few and repeated on every request (the role switch, the tenant setting, each
    /// route's query): Npgsql prepares them on a connection after a few uses (Max Auto Prepare), so PostgreSQL
    /// stops parsing and planning them each time (docs/benchmarks.md, API). A connection string that sets
    /// Max Auto Prepare itself keeps its value.
    /// </summary>
    internal static string WithAutoPrepare(string connectionString)
    {
        // NpgsqlConnectionStringBuilder knows every keyword (ContainsKey is always true): ask a plain builder what was given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare")) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = ApiMaxAutoPrepare }.ConnectionString;
    }

    internal const int ApiMaxAutoPrepare = 64;

    /// <summary>
    /// The API's middleware (problem details, authentication, authorization, rate limits) and routes, with
    /// the OpenAPI document at /openapi/v1.json and, in Development, the reference page at /api-reference.
    /// </summary>
    public static WebApplication MapTraderApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(PlanRateTiers.Resolve);
        app.UseRateLimiter();
        app.MapTraderOpenApi(app.Environment);
        app.MapAuthRoutes();
        app.MapAuditRoutes();
        app.MapReadRoutes();
        app.MapOrderRoutes();
        app.MapStreamRoutes();
        app.MapSubscriptionRoutes();
        app.MapBrokerAccountRoutes();
        app.MapCredentialKeyRoutes();
        app.MapStrategyAdminRoutes();
        app.MapBotRoutes();
        app.MapPerformanceRoutes();
        app.MapRiskRoutes();
        app.MapBillingRoutes();
        app.MapStripeRoutes();
        app.MapPlanAdminRoutes();
        app.MapBacktestRoutes();
        if (app.Services.GetRequiredService<IOptions<MailOptions>>().Value.HostSink)
            app.MapGet("/mailbox", (HostedMailSink sink) =>
                    Results.Content(MailboxPage.Render(sink.Sink?.Received ?? []), "text/html; charset=utf-8"))
                .AllowAnonymous().ExcludeFromDescription(); // a development page, not part of the API
        return app;
    }
}
