using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;
using Spectre.Console.Cli;
using TradingActors.Brokers.Fakes;

namespace TradingActors.Cli;

public sealed class FakesSettings : CommandSettings
{
    [CommandOption("--venue <VENUE>")]
    [Description("a venue to fake: oanda, alpaca, bybit or kis (repeat it for several; all four by default)")]
    public string[] Venues { get; init; } = [];

    [CommandOption("--port <PORT>")]
    [Description("the first port: the venues take it and the next ones, in the order oanda, alpaca, bybit, kis (default 18081)")]
    public int Port { get; init; } = 18081;

    [CommandOption("--price-step-ms <MS>")]
    [Description("how often each fake moves its prices a little (a random walk), so resting limit orders can fill (default 1000)")]
    public int PriceStepMs { get; init; } = 1000;

    [CommandOption("--seed <SEED>")]
    [Description("the random walk's seed (default 7)")]
    public int Seed { get; init; } = 7;

    public IReadOnlyList<string> Chosen => Venues.Length == 0 ? FakeVenueCatalog.Venues : Venues;

    public override ValidationResult Validate()
    {
        if (Chosen.FirstOrDefault(v => !FakeVenueCatalog.Venues.Contains(v)) is { } unknown)
            return ValidationResult.Error($"--venue: no fake for '{unknown}'; the fakes are {string.Join(", ", FakeVenueCatalog.Venues)}");
        if (Chosen.Distinct().Count() != Chosen.Count) return ValidationResult.Error("--venue: each venue once");
        if (Port is < 1 || Port + FakeVenueCatalog.Venues.Count - 1 > 65_535) return ValidationResult.Error("--port must leave room for four ports below 65536");
        if (PriceStepMs < 10) return ValidationResult.Error("--price-step-ms must be at least 10");
        return ValidationResult.Success();
    }
}

/// <summary>Ctrl-C or SIGTERM (run.sh's stop): what ends a command that serves until told to stop, cleanly.</summary>
internal sealed class StopOnSignal : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly ConsoleCancelEventHandler _onCancel;
    private readonly PosixSignalRegistration _onTerm;

    public StopOnSignal(CancellationToken ct)
    {
        var stop = _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
        Console.CancelKeyPress += _onCancel;
        _onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, s => { s.Cancel = true; stop.Cancel(); });
    }

    public CancellationToken Token => _stop.Token;

    public bool IsCancellationRequested => _stop.IsCancellationRequested;

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancel;
        _onTerm.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// `tradectl fakes`: the local fakes of the real venues as standalone servers on 127.0.0.1, each seeded with its demo
/// account (printed, one line per venue), until Ctrl-C. A node points its RealVenues test URLs at them (scripts/run.sh
/// does), and the venues' own client libraries can be pointed at them too: they answer the venues' paths and bodies.
/// </summary>
public sealed class FakesRun : AsyncCommand<FakesSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, FakesSettings settings, CancellationToken ct)
    {
        using var stop = new StopOnSignal(ct);
        var fakes = new List<FakeVenueServer>();
        try
        {
            foreach (var venue in settings.Chosen)
            {
                var port = settings.Port + FakeVenueCatalog.Venues.ToList().IndexOf(venue);
                var fake = FakeVenueCatalog.Create(venue, new FakeExchange(TimeProvider.System));
                var demo = FakeVenueCatalog.DemoAccountOf(venue);
                fake.SeedAccount(demo.AccountNumber, demo.ApiKey, demo.Secret ?? "", venue == "kis" ? 100_000_000m : 100_000m);
                foreach (var (symbol, price) in FakeVenueCatalog.StartPrices(venue)) fake.Exchange.SetPrice(symbol, price);
                await fake.StartAsync(port, stop.Token);
                fakes.Add(fake);
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"fake venue={venue} url={fake.BaseUrl} mode={demo.Mode} apiKey={demo.ApiKey} secret={demo.Secret ?? "-"} accountNumber={demo.AccountNumber}"));
            }
            var random = new Random(settings.Seed);
            while (!stop.IsCancellationRequested)
            {
                try { await Task.Delay(settings.PriceStepMs, stop.Token); }
                catch (OperationCanceledException) { break; }
                foreach (var fake in fakes)
                    foreach (var symbol in FakeVenueCatalog.StartPrices(fake.Venue).Keys)
                        if (fake.Exchange.Price(symbol) is { } price)
                            fake.Exchange.SetPrice(symbol, decimal.Round(price * (1m + (decimal)(random.NextDouble() - 0.5) * 0.002m), 6));
            }
            return 0;
        }
        finally
        {
            foreach (var fake in fakes) await fake.DisposeAsync();
        }
    }
}

public sealed class StripeFakeSettings : CommandSettings
{
    [CommandOption("--port <PORT>")]
    [Description("the port on 127.0.0.1 (default 12111); the node's Trading:Billing:Stripe:ApiBase points at it")]
    public int Port { get; init; } = 12111;

    [CommandOption("--webhook <URL>")]
    [Description("where to deliver the signed events: the node's POST /api/v1/billing/webhook (default http://127.0.0.1:5080/api/v1/billing/webhook)")]
    public string Webhook { get; init; } = "http://127.0.0.1:5080/api/v1/billing/webhook";

    [CommandOption("--secret-key <KEY>")]
    [Description("the secret key the fake accepts (sk_test_…; default from TRADECTL_STRIPE_SECRET_KEY)")]
    public string? SecretKey { get; init; }

    [CommandOption("--webhook-secret <SECRET>")]
    [Description("the endpoint secret it signs deliveries with (whsec_…; default from TRADECTL_STRIPE_WEBHOOK_SECRET)")]
    public string? WebhookSecret { get; init; }

    public string Key => SecretKey ?? Environment.GetEnvironmentVariable("TRADECTL_STRIPE_SECRET_KEY") ?? "";
    public string Signing => WebhookSecret ?? Environment.GetEnvironmentVariable("TRADECTL_STRIPE_WEBHOOK_SECRET") ?? "";

    public override ValidationResult Validate()
    {
        if (Port is < 1 or > 65_535) return ValidationResult.Error("--port must be in 1..65535");
        if (!Uri.TryCreate(Webhook, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")) return ValidationResult.Error("--webhook must be an absolute http(s) URL");
        if (!Key.StartsWith("sk_", StringComparison.Ordinal)) return ValidationResult.Error("--secret-key (or TRADECTL_STRIPE_SECRET_KEY) must be a Stripe secret key, sk_…");
        if (!Signing.StartsWith("whsec_", StringComparison.Ordinal)) return ValidationResult.Error("--webhook-secret (or TRADECTL_STRIPE_WEBHOOK_SECRET) must be a signing secret, whsec_…");
        return ValidationResult.Success();
    }
}

/// <summary>
/// `tradectl stripe-fake`: the local Stripe fake (decision 033) on 127.0.0.1 until Ctrl-C, selling the seeded paid plans at
/// their prices under the conventional price ids (price_{plan}_{period}); Checkout and the portal are its own pages, and it
/// delivers signed webhooks to the node. scripts/run.sh starts it so the demo can "pay". Prints its URL, never a secret.
/// </summary>
public sealed class StripeFakeRun : AsyncCommand<StripeFakeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StripeFakeSettings settings, CancellationToken ct)
    {
        using var stop = new StopOnSignal(ct);
        var billing = new TradingActors.Billing.StripeBillingOptions
        {
            SecretKey = settings.Key, WebhookSecret = settings.Signing,
            Prices = TradingActors.Billing.StripeBillingOptions.ConventionalPrices(TradingActors.Domain.Billing.PlanCatalog.Seeds),
        };
        await using var fake = await TradingActors.Billing.Fakes.StripeFake.StartAsync(
            TradingActors.Billing.Fakes.StripeFakeOptions.For(billing, webhookUrl: new Uri(settings.Webhook)), settings.Port, ct: stop.Token);
        Console.Out.WriteLine($"fake stripe url={fake.BaseUrl} webhook={settings.Webhook} prices={string.Join(",", billing.AllPrices().Select(p => p.PriceId))}");
        try { await Task.Delay(Timeout.Infinite, stop.Token); }
        catch (OperationCanceledException) { }
        return 0;
    }
}
