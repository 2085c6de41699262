using System.Collections.Concurrent;
using TradingActors.Billing.Fakes;

namespace TradingActors.Billing.Tests;

/// <summary>
/// A handler shaped as the API's (verify, dedupe on event id, fetch the subscription and reconcile) behind the fake's
/// deliveries: whatever the order and repetition, the tenant ends told what the subscription is now.
/// </summary>
public sealed class WebhookConvergenceTests : IAsyncLifetime
{
    private BillingTestbed _bed = null!;
    private readonly ConcurrentDictionary<string, byte> _seen = new();
    private readonly ConcurrentQueue<(string? User, BillingInstruction Instruction)> _told = new();
    private int _duplicates;

    public async Task InitializeAsync()
    {
        _bed = await BillingTestbed.StartAsync();
        _bed.Receiver.Handler = async delivery =>
        {
            var verified = _bed.Verifier.Verify(delivery.Body, delivery.Signature);
            if (!verified.Accepted) return 400;
            if (!_seen.TryAdd(verified.Event!.Id, 0))
            {
                Interlocked.Increment(ref _duplicates);
                return 200;
            }
            if (await _bed.Billing.ReconcileAsync(verified.Event) is { } result) _told.Enqueue((result.Subscription?.UserId, result.Instruction));
            return 200;
        };
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    public static TheoryData<WebhookOrder, int> Orders() => new()
    {
        { WebhookOrder.InOrder, 1 },
        { WebhookOrder.Reverse, 2 },
        { WebhookOrder.Shuffle, 3 },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task A_paid_checkout_activates_the_plan_in_any_order(WebhookOrder order, int repeat)
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(order, repeat, Seed: 11);

        var subscriptionId = await _bed.SubscribeAsync("user-7", "pro", BillingPeriod.Yearly);

        var expected = new BillingInstruction.Activate(subscriptionId, "pro", BillingPeriod.Yearly, BillingTestbed.Start.AddYears(1), false);
        // customer.created names no subscription; the three others each tell the same.
        Assert.Equal(3, _told.Count);
        Assert.All(_told, t => Assert.Equal(("user-7", (BillingInstruction)expected), t));
        Assert.Equal(4 * (repeat - 1), _duplicates);
    }

    [Fact]
    public async Task Events_of_a_paid_plan_delivered_after_its_cancellation_tell_the_lapse()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(Hold: true);
        var subscriptionId = await _bed.SubscribeAsync("user-8");
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        await _bed.Fake.CancelAsync(subscriptionId);

        // The deletion first, then everything before it, newest first: the worst order.
        await _bed.Fake.Webhooks.ReleaseAsync(order: WebhookOrder.Reverse);

        Assert.Equal(6, _told.Count);
        Assert.All(_told, t => Assert.Equal(("user-8", (BillingInstruction)new BillingInstruction.Lapse(subscriptionId, "canceled")), t));
    }

    [Fact]
    public async Task A_past_due_plan_paid_again_ends_active_whatever_arrives_last()
    {
        _bed.Fake.Webhooks.Settings = new WebhookDeliverySettings(Hold: true);
        var subscriptionId = await _bed.SubscribeAsync("user-9");
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: false);
        await _bed.Fake.RenewAsync(subscriptionId, paymentSucceeds: true);
        var failed = _bed.Fake.Events.Single(e => e.Type == "invoice.payment_failed");

        // The failure's notice arrives last, late.
        await _bed.Fake.Webhooks.ReleaseAsync([.. _bed.Fake.Webhooks.Held.Select(e => e.Id).Where(id => id != failed.Id), failed.Id]);

        var last = _told.Last();
        Assert.Equal(new BillingInstruction.Activate(subscriptionId, "pro", BillingPeriod.Monthly, BillingTestbed.Start.AddMonths(2), false), last.Instruction);
        Assert.DoesNotContain(_told, t => t.Instruction is BillingInstruction.PastDue);
    }
}
