using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Billing.Fakes;
using TradingActors.Domain.Billing;

namespace TradingActors.Billing.Tests;

/// <summary>A webhook delivery as the receiver got it: the raw body and the signature header.</summary>
public sealed record ReceivedWebhook(string Body, string? Signature);

/// <summary>
/// A webhook endpoint on 127.0.0.1 for the tests: records every delivery, answers <see cref="Status"/> (or what
/// <see cref="Handler"/> decides), so tests can fail deliveries and run a real handler.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    public int Status { get; set; } = 200;
    public Func<ReceivedWebhook, Task<int>>? Handler { get; set; }
    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRouting();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/webhook", async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var delivery = new ReceivedWebhook(await reader.ReadToEndAsync(), ctx.Request.Headers["Stripe-Signature"].FirstOrDefault());
            receiver._received.Enqueue(delivery);
            ctx.Response.StatusCode = receiver.Handler is { } handle ? await handle(delivery) : receiver.Status;
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/webhook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The fake, a receiver, the gateway and a verifier on one fake clock: what most tests start from.</summary>
public sealed class BillingTestbed : IAsyncDisposable
{
    public const string SecretKey = "sk_test_51TestSecretKeyForTheFake0001";
    public const string WebhookSecret = "whsec_TestWebhookSecretForTheFake0001";

    public static readonly DateTimeOffset Start = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    private BillingTestbed(FakeTimeProvider time, StripeFake fake, WebhookReceiver receiver, StripeBillingOptions options)
    {
        Time = time;
        Fake = fake;
        Receiver = receiver;
        Options = options;
        Http = new HttpClient();
        Billing = new StripeBilling(options, Http);
        Verifier = new StripeWebhookVerifier(options, time);
    }

    public FakeTimeProvider Time { get; }
    public StripeFake Fake { get; }
    public WebhookReceiver Receiver { get; }
    public StripeBillingOptions Options { get; }
    public HttpClient Http { get; }
    public StripeBilling Billing { get; }
    public StripeWebhookVerifier Verifier { get; }

    public static StripeBillingOptions OptionsFor(string apiBase, string secretKey = SecretKey) => new()
    {
        SecretKey = secretKey,
        WebhookSecret = WebhookSecret,
        ApiBase = apiBase,
        SuccessUrl = "http://127.0.0.1:5080/billing/success?session_id={CHECKOUT_SESSION_ID}",
        CancelUrl = "http://127.0.0.1:5080/billing/cancelled",
        PortalReturnUrl = "http://127.0.0.1:5080/billing",
        Prices = StripeBillingOptions.ConventionalPrices(PlanCatalog.Seeds),
        MaxNetworkRetries = 0,
    };

    public static async Task<BillingTestbed> StartAsync()
    {
        var time = new FakeTimeProvider(Start);
        var receiver = await WebhookReceiver.StartAsync();
        var fakeOptions = StripeFakeOptions.For(OptionsFor("http://127.0.0.1"), webhookUrl: receiver.Url);
        fakeOptions.DeliveryRetryDelay = TimeSpan.FromMilliseconds(5);
        var fake = await StripeFake.StartAsync(fakeOptions, time: time);
        return new BillingTestbed(time, fake, receiver, OptionsFor(fake.BaseUrl.ToString()));
    }

    /// <summary>A user's checkout for a plan, paid: the subscription id.</summary>
    public async Task<string> SubscribeAsync(string userId, string planId = "pro", BillingPeriod period = BillingPeriod.Monthly)
    {
        var checkout = await Billing.CreateCheckoutAsync(userId, $"{userId}@example.com", null, planId, period, Guid.NewGuid().ToString());
        return await Fake.CompleteCheckoutAsync(checkout.SessionId);
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        await Receiver.DisposeAsync();
        Http.Dispose();
    }
}
