using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Api.Mail;
using TradingActors.Credentials;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using TradingActors.Domain.Tenants;

namespace TradingActors.Api.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>
/// One node (the real Program: engine, API, migrations) on a fresh database, with an SMTP sink on an
/// ephemeral port, an injected FakeTimeProvider and a capture of every log line. Shared by the API tests,
/// which run one after the other and use their own email addresses.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public const decimal PaperStartingCash = 25_000m;

    /// <summary>The simulated venue's one issued key pair (any other is refused like a venue's 401).</summary>
    public const string SimulatedApiKey = "SIMKEY-7f3a9c2e41WXYZ";
    public const string SimulatedSecret = "sim-secret-5d8e0b7c9a1f";

    /// <summary>The master key the node starts with (a rotation test adds another to the node's ring).</summary>
    public const string FirstMasterKeyId = "mk-1";
    public string FirstMasterKeyBase64 { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>Stripe, faked on 127.0.0.1 (decision 033): the API pays through it; its webhooks reach the test server directly.</summary>
    public TradingActors.Billing.Fakes.StripeFake Stripe { get; private set; } = null!;
    public const string StripeSecretKey = "sk_test_api_fixture_51H7x";
    public const string StripeWebhookSecret = "whsec_api_fixture_9Qz2";
    public MailSink Mail { get; private set; } = null!;
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    public LogCapture Logs { get; } = new();
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The node's backtest datasets: a copy of data/bars, where a test may add a file of its own.</summary>
    public string BacktestData { get; } = Directory.CreateTempSubdirectory("ta-api-bars-").FullName;

    public async Task InitializeAsync()
    {
        foreach (var file in Directory.EnumerateFiles(ShippedBars(), "*.csv")) File.Copy(file, Path.Combine(BacktestData, Path.GetFileName(file)));
        Database = await TestDatabase.CreateAsync();
        Mail = await MailSink.StartAsync("127.0.0.1", 0);
        var billing = new TradingActors.Billing.StripeBillingOptions
        {
            SecretKey = StripeSecretKey, WebhookSecret = StripeWebhookSecret,
            Prices = TradingActors.Billing.StripeBillingOptions.ConventionalPrices(TradingActors.Domain.Billing.PlanCatalog.Seeds),
        };
        Stripe = await TradingActors.Billing.Fakes.StripeFake.StartAsync(
            TradingActors.Billing.Fakes.StripeFakeOptions.For(billing, webhookUrl: new Uri("http://localhost/api/v1/billing/webhook")), time: Time);
        var settings = new Dictionary<string, string>
        {
            ["Trading:ConnectionString"] = Database.ConnectionString,
            ["Trading:Cluster:Port"] = "0",
            ["Trading:ShutdownDrain"] = "00:00:00", // no load balancer to drain: each test host stops at once
            ["Trading:Feed:Kind"] = "none",
            ["Trading:Demo:Tenants"] = "0",
            ["Trading:Mail:Host"] = "127.0.0.1",
            ["Trading:Mail:Port"] = Mail.Port.ToString(),
            ["Trading:Api:Jwt:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Trading:Api:PublicBaseUrl"] = "http://localhost",
            ["Trading:Api:LoginAttemptsPerIpPerMinute"] = "1000",
            ["Trading:Api:PaperStartingCash"] = PaperStartingCash.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Trading:Credentials:MasterKeys:{FirstMasterKeyId}"] = FirstMasterKeyBase64,
            ["Trading:Credentials:ActiveMasterKey"] = FirstMasterKeyId,
            ["Trading:SimulatedVenue:Enabled"] = "true",
            ["Trading:Backtests:DataDirectory"] = BacktestData,
            ["Trading:ReadModels:PriceMarkFlushInterval"] = "00:00:00.200",
            // A failed payment's grace, short enough to see it run out (the engine's clock is the system's here).
            ["Trading:PlanGracePeriod"] = "00:00:03",
            ["Trading:PlanGraceCheckInterval"] = "00:00:00.200",
            ["Trading:Billing:Stripe:SecretKey"] = StripeSecretKey,
            ["Trading:Billing:Stripe:WebhookSecret"] = StripeWebhookSecret,
            ["Trading:Billing:Stripe:ApiBase"] = Stripe.BaseUrl.ToString().TrimEnd('/'),
            ["Trading:Billing:Stripe:MaxNetworkRetries"] = "0",
            [$"Trading:SimulatedVenue:Keys:{SimulatedApiKey}"] = SimulatedSecret,
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Information",
            ["Serilog:MinimumLevel:Override:Akka"] = "Information",
        };
        foreach (var price in billing.AllPrices())
            settings[$"Trading:Billing:Stripe:Prices:{price.PlanId}:{price.Period}"] = price.PriceId;
        Configure(settings);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings) web.UseSetting(key, value);
            web.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Time);
                services.AddSingleton<ILoggerProvider>(Logs);
                services.AddSingleton<IStartupFilter, ClientAddressFromHeader>();
            });
        });
        Client = Factory.CreateClient();
        Stripe.Webhooks.SendThrough(Factory.Server.CreateHandler());
        await WaitUntilReady();
    }

    /// <summary>A fixture with other settings overrides them here.</summary>
    protected virtual void Configure(Dictionary<string, string> settings) { }

    /// <summary>Whether the node can become ready (a node that cannot is waited for until it is an Up member).</summary>
    protected virtual bool BecomesReady => true;

    private async Task WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await Client.GetAsync("/readyz");
            if (response.StatusCode == HttpStatusCode.OK) return;
            if (!BecomesReady && (await response.Content.ReadAsStringAsync()).Contains("\"member\":\"Up\"", StringComparison.Ordinal)) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the node did not become ready: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(200);
        }
    }

    public EngineEntryPoints Engine => EngineEntryPoints.From(Factory.Services);

    /// <summary>
    /// A new trader, registered, verified (through the mail sink) and logged in. Signed up on Free, then moved to
    /// <paramref name="plan"/> as an operator would (null: stays on Free). Pro by default: most tests drive the API as an
    /// API trader does — several subscriptions and bots, bursts of requests — which Free's limits and its basic rate tier
    /// (5 a second, bursts of 10) refuse; the billing tests show those.
    /// </summary>
    public async Task<SignedInTrader> SignIn(string name, string? plan = "pro")
    {
        var trader = Trader.New(this, name);
        await trader.RegisterAndVerify();
        var tokens = await trader.LoggedIn();
        using var scope = Factory.Services.CreateScope();
        var user = (await scope.ServiceProvider.GetRequiredService<TradingActors.Api.Identity.TraderUserManager>().FindByEmailAsync(trader.Email))!;
        if (plan is not null)
        {
            var reply = await Engine.Tenants.Ask<object>(new ChangeTenantPlan(user.TenantId, plan), TimeSpan.FromSeconds(15));
            if (reply is not CommandAccepted accepted) throw new InvalidOperationException($"{name} was not moved to plan {plan}: {reply}");
            // The rate limit reads the plan's tier from the read models: the first request must find the new plan there.
            if (!await Factory.Services.GetRequiredService<TradingActors.Api.Trading.TenantReads>().WaitForAsync(user.TenantId, accepted.Version, TimeSpan.FromSeconds(15), default))
                throw new TimeoutException($"{name}'s plan {plan} did not reach the read models");
        }
        return new SignedInTrader(trader, tokens.AccessToken, user.TenantId);
    }

    public async Task<TenantState> Tenant(string tenantId) =>
        (await Engine.Tenants.Ask<Portfolio>(new GetPortfolio(tenantId), TimeSpan.FromSeconds(15))).State;

    /// <summary>
    /// Every "table.column" of the node's database (journal, snapshots, identity, read models, idempotency keys...)
    /// whose text or bytes contain <paramref name="secret"/>: a scan for secrets stored in clear.
    /// </summary>
    public async Task<IReadOnlyList<string>> WhereInDatabase(string secret)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var list = new Npgsql.NpgsqlCommand(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'jsonb', 'character varying')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        var found = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            var test = type == "bytea" ? $"position(convert_to($1, 'UTF8') in \"{column}\") > 0" : $"strpos(\"{column}\"::text, $1) > 0";
            await using var probe = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM \"{table}\" WHERE {test}", connection);
            probe.Parameters.Add(new Npgsql.NpgsqlParameter { Value = secret });
            if ((long)(await probe.ExecuteScalarAsync())! > 0) found.Add($"{table}.{column}");
        }
        Assert.True(columns.Count > 20, $"only {columns.Count} text columns scanned");
        return found;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Mail.DisposeAsync();
        await Stripe.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(BacktestData, recursive: true);
    }

    /// <summary>The repository's data/bars, found upwards from the test binaries.</summary>
    public static string ShippedBars()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "data", "bars"))) return Path.Combine(dir.FullName, "data", "bars");
        throw new DirectoryNotFoundException("data/bars not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The test server has no client address: a test names one in X-Test-Client-IP (per-IP limits).</summary>
public sealed class ClientAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Client-IP";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers[Header] is [{ } ip]) context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
            return nextMiddleware(context);
        });
        next(app);
    };
}
