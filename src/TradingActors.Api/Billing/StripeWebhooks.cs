using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TradingActors.Api.Identity;
using TradingActors.Api.Trading;
using TradingActors.Billing;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Billing;

/// <summary>What became of a webhook delivery: handled (with what it did), seen before, or to be retried by Stripe (503).</summary>
public sealed record WebhookOutcome(bool Retry, bool Duplicate, string Outcome);

/// <summary>
/// A verified Stripe event, handled idempotently and whatever the delivery order (decisions 033, 034): the event only says
/// that something changed; the subscription's current state is fetched from Stripe and the user's tenant is told to match
/// it (active: the plan and its period end; past due: the grace starts; canceled or gone: the plan lapses). The tenant's
/// commands are themselves idempotent, so a repeat, a retry after a crash or two deliveries racing change nothing twice.
/// An invoice event mirrors the invoice. The event id is recorded only after all that: a failure leaves it to Stripe's
/// retry. Only the subscription that activated the user's plan can make it fall behind or lapse (an old, cancelled one
/// cannot take a new one down).
/// </summary>
public sealed class StripeWebhooks(StripeBilling stripe, BillingStore store, IRequiredActor<TenantRegion> tenants, UserTenants users,
    PlanRateTiers tiers, TenantReads reads, ILogger<StripeWebhooks> log)
{
    /// <summary>The events that can change a plan or an invoice; others (customer.created, …) are acknowledged and recorded.</summary>
    public static readonly IReadOnlySet<string> Handled = new HashSet<string>(StringComparer.Ordinal)
    {
        "checkout.session.completed", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
        "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    };

    public async Task<WebhookOutcome> HandleAsync(StripeWebhookEvent e, CancellationToken ct)
    {
        if (await store.HandledAsync(e.Id, ct) is { } before) return new WebhookOutcome(false, true, before);
        if (!Handled.Contains(e.Type)) return await Recorded(e, $"not handled: {e.Type}");
        var reconciled = await stripe.ReconcileAsync(e, ct);
        var subscription = reconciled?.Subscription;
        var userId = UserIdOf(subscription?.UserId) ?? UserIdOf(e.UserId);
        var customerId = subscription?.CustomerId ?? e.CustomerId;
        if (userId is null && customerId is not null) userId = await store.UserOfCustomerAsync(customerId, ct);
        if (userId is not { } user || await users.FindTenantAsync(user) is not { } tenant)
        {
            log.LogWarning("stripe event {Event} ({Type}) names no user of ours; recorded and ignored", e.Id, e.Type);
            return await Recorded(e, "no user of ours");
        }
        // The subscription that activated the plan (a customer saved without one keeps it).
        var current = (await store.CustomerOfAsync(user, ct))?.SubscriptionId;
        if (customerId is not null) await store.SaveCustomerAsync(user, customerId, null, ct);

        var outcome = "nothing to do";
        if (reconciled is { Instruction: var instruction })
        {
            var told = await TellTenant(user, tenant, customerId, current, instruction, ct);
            if (told is null) return new WebhookOutcome(true, false, "the engine did not answer");
            outcome = told.Value.Outcome;
            // The user's next request takes the new plan's rate tier: once the read models hold the change, the cached tier goes.
            if (told.Value.Version is { } version) await reads.WaitForAsync(tenant, version, TimeSpan.FromSeconds(5), ct);
        }
        if (e.InvoiceId is { } invoiceId && await stripe.GetInvoiceAsync(invoiceId, ct) is { } invoice)
        {
            await store.SaveInvoiceAsync(user, invoice, ct);
            outcome += $"; invoice {invoice.Id} {invoice.Status}";
        }
        tiers.Forget(tenant);
        return await Recorded(e, outcome);
    }

    /// <summary>What the tenant was told and answered (with its version when it changed); null when it did not answer (Stripe retries).</summary>
    private async Task<(string Outcome, long? Version)?> TellTenant(Guid user, string tenant, string? customerId, string? current, BillingInstruction instruction,
        CancellationToken ct)
    {
        var mine = current is null || current == instruction.SubscriptionId;
        ITenantCommand? command = instruction switch
        {
            BillingInstruction.Activate a => new ChangeTenantPlan(tenant, a.PlanId, a.PeriodEnd),
            BillingInstruction.PastDue when mine => new MarkTenantPlanPastDue(tenant),
            BillingInstruction.Lapse when mine => new LapseTenantPlan(tenant),
            _ => null,
        };
        if (command is null)
        {
            var why = instruction switch
            {
                BillingInstruction.Refused r => $"refused: {r.Reason}",
                BillingInstruction.Nothing n => $"nothing: subscription {n.SubscriptionId} is {n.Status}",
                _ => $"ignored: subscription {instruction.SubscriptionId} is not the one the plan came from ({current})",
            };
            if (instruction is BillingInstruction.Refused) log.LogWarning("stripe subscription {Subscription}: {Why}", instruction.SubscriptionId, why);
            return (why, null);
        }
        switch (await TenantCommands.AskOrNull(await tenants.GetAsync(ct), command, ct))
        {
            case null: return null;
            case CommandAccepted accepted:
                // The newest subscription that activated the plan is the one that may later lapse it.
                if (instruction is BillingInstruction.Activate && customerId is not null) await store.SaveCustomerAsync(user, customerId, instruction.SubscriptionId, ct);
                return ($"{command.GetType().Name} accepted ({Describe(instruction)})", accepted.Version);
            case CommandRejected rejected:
                // Nothing to change (a free plan cannot lapse, a retired plan is not sold): what Stripe says is recorded.
                log.LogWarning("stripe subscription {Subscription}: the tenant refused {Command}: {Reason}", instruction.SubscriptionId, command.GetType().Name, rejected.Reason);
                return ($"{command.GetType().Name} refused: {rejected.Reason}", null);
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    private static string Describe(BillingInstruction instruction) => instruction switch
    {
        BillingInstruction.Activate a => $"{a.PlanId} {a.Period.ToWire()} until {a.PeriodEnd:O}",
        BillingInstruction.PastDue p => $"{p.PlanId} past due",
        BillingInstruction.Lapse l => $"subscription {l.Status}",
        _ => instruction.GetType().Name,
    };

    private async Task<WebhookOutcome> Recorded(StripeWebhookEvent e, string outcome)
    {
        await store.RecordHandledAsync(e.Id, e.Type, outcome, CancellationToken.None);
        return new WebhookOutcome(false, false, outcome);
    }

    private static Guid? UserIdOf(string? text) => Guid.TryParse(text, out var id) ? id : null;
}

/// <summary>A user's tenant and email, found from a singleton (the user manager is scoped).</summary>
public sealed class UserTenants(IServiceScopeFactory scopes)
{
    /// <summary>The user's tenant id, or null for no such user or one whose tenant is not provisioned yet.</summary>
    public async Task<string?> FindTenantAsync(Guid userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<TraderUserManager>().FindByIdAsync(userId.ToString());
        return user is { TenantProvisionedAt: not null } ? user.TenantId : null;
    }

    public async Task<string?> EmailOfAsync(Guid userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<TraderUserManager>().FindByIdAsync(userId.ToString()))?.Email;
    }
}
