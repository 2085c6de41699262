using System.Security.Claims;
using System.Text.Json;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stripe;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Api.Trading;
using TradingActors.Billing;
using TradingActors.Domain.Billing;
using TradingActors.Engine.Billing;
using TradingActors.Engine.Hosting;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Billing;

/// <summary>POST /api/v1/billing/checkout: the plan to pay for and how often (monthly or yearly).</summary>
public sealed record CheckoutRequest(string? PlanId, string? Period);

/// <summary>Where to send the user: Stripe's hosted page (Checkout or the customer portal).</summary>
public sealed record BillingRedirectResponse(string Url, string? SessionId = null);

/// <summary>A Stripe event as delivered (documentation: the handler reads the raw bytes the signature covers).</summary>
public sealed record StripeEventBody(string Id, string Object, string Type, long Created, string? ApiVersion, JsonElement Data, bool Livemode);

/// <summary>What the webhook endpoint answers Stripe (its dashboard shows it).</summary>
public sealed record WebhookResponse(bool Received, bool Duplicate, string Outcome);

/// <summary>
/// Paying through Stripe (decisions 033, 034): a Checkout Session for a plan, the customer portal, the signed webhook that
/// turns Stripe's state into the tenant's plan, and the invoices mirrored from it. Off (503 billing-unavailable) when the
/// deployment has no Stripe keys (Trading:Billing:Stripe).
/// </summary>
public static class StripeRoutes
{
    public static IEndpointRouteBuilder MapStripeRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/billing").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("billing");
        api.MapPost("/checkout", Checkout).WithSummary("Pay for a plan: a Stripe Checkout page for it, monthly or yearly (Idempotency-Key: the same page again)")
            .AcceptsJson<CheckoutRequest>().Returns<BillingRedirectResponse>().ProducesProblems(409, 502, 503);
        api.MapPost("/portal", Portal).WithSummary("Stripe's customer portal: change or cancel your plan, update your card, see invoices")
            .Returns<BillingRedirectResponse>().ProducesProblems(409, 502, 503);
        api.MapGet("/invoices", Invoices).WithSummary("Your invoices, newest first, as Stripe has them (limit 1–100, default 50)")
            .Returns<InvoiceResponse[]>().ProducesProblems(400);
        // Stripe calls this: no user, no rate limit; the signature over the raw body is the authentication.
        routes.MapPost("/api/v1/billing/webhook", Webhook).AllowAnonymous().WithTags("billing")
            .WithSummary("Stripe's event deliveries, signed (Stripe-Signature); answered 200 once handled or seen before")
            .AcceptsJson<StripeEventBody>().Returns<WebhookResponse>().ProducesProblems(503);
        // Where Stripe's hosted pages send the user back (StripeBillingOptions' default URLs): plain pages, not the API.
        routes.MapGet("/billing/success", () => Page("Payment received",
            "Thank you. Your plan changes as soon as Stripe confirms the payment (seconds): see <code>GET /api/v1/billing</code>.")).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/billing/cancelled", () => Page("Checkout cancelled", "Nothing was charged; your plan is as it was.")).AllowAnonymous().ExcludeFromDescription();
        routes.MapGet("/billing", () => Page("Billing", "Your plan, its limits and your usage: <code>GET /api/v1/billing</code>; invoices: <code>GET /api/v1/billing/invoices</code>."))
            .AllowAnonymous().ExcludeFromDescription();
        return routes;
    }

    private static IResult Page(string title, string html) => Results.Content(
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} · TradingActors</title></head><body><h1>{title}</h1><p>{html}</p></body></html>",
        "text/html; charset=utf-8");

    /// <summary>Stripe's events are a few kilobytes; an invoice with many lines some tens.</summary>
    private const int MaxEventBytes = 512 * 1024;

    private static IResult NotConfigured() => Problems.Status(StatusCodes.Status503ServiceUnavailable, "billing-unavailable", "Billing unavailable",
        "This deployment takes no payments (no Stripe keys are configured); an operator can move you to a plan.");

    private static IResult ProviderFailed(ILogger log, Exception e, string what)
    {
        // Stripe's message names no key (Stripe.net masks it); the log keeps the detail, the user gets the gist.
        log.LogWarning(e, "stripe: {What} failed", what);
        return Problems.Status(StatusCodes.Status502BadGateway, "billing-provider-error", "Payment provider error",
            "Stripe did not take the request; nothing was charged. Try again shortly.");
    }

    private static async Task<IResult> Checkout(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IdempotencyKeys idempotency,
        IRequiredActor<TenantRegion> tenants, PlanCatalogView plans, BillingStore store, UserTenants users, AuditTrail audit, ILogger<StripeBilling> log,
        CancellationToken ct)
    {
        if (http.RequestServices.GetService<StripeBilling>() is not { } stripe) return NotConfigured();
        var read = await bodies.ReadAsync<CheckoutRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var (key, keyProblem) = IdempotencyKeys.Read(http.Request);
        if (keyProblem is not null) return keyProblem;
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var body = read.Body!;
        var options = http.RequestServices.GetRequiredService<StripeBillingOptions>();
        var errors = new Dictionary<string, string[]>();
        var planId = body.PlanId?.Trim() ?? "";
        if (!plans.Current.TryGet(planId, out var plan)) errors["planId"] = [$"planId must be a plan on sale ({string.Join(", ", plans.Current.Plans.Where(p => !p.IsFree()).Select(p => p.Id))})"];
        else if (plan.IsFree()) errors["planId"] = [$"plan {plan.Name} is free of charge: nothing to pay"];
        if (!BillingPeriods.TryParse(body.Period, out var period)) errors["period"] = ["period must be monthly or yearly"];
        else if (errors.Count == 0 && options.PriceIdFor(planId, period) is null) errors["period"] = [$"plan {plan.Name} is not sold {period.ToWire()}"];
        if (errors.Count > 0) return Problems.Validation(errors);

        async Task<IdempotencyKeys.Outcome> Execute()
        {
            var customer = await store.CustomerOfAsync(userId, ct);
            var state = await StateOfAsync(await tenants.GetAsync(ct), tenant, ct);
            // A plan paid for is changed in the portal (Stripe prorates); a second subscription would bill twice.
            if (customer?.SubscriptionId is not null && state.CurrentPlan() is { Status: not PlanStatus.Lapsed } current && !current.Limits.IsFree())
                return Failure(StatusCodes.Status409Conflict, "subscription-exists", "Already subscribed",
                    $"You pay for plan {current.Limits.Name}: change or cancel it in the customer portal (POST /api/v1/billing/portal).");
            var email = await users.EmailOfAsync(userId);
            // Stripe's own Idempotency-Key: the caller's (the same page again for a retry) or this request's.
            var stripeKey = $"checkout:{userId:N}:{key ?? Guid.NewGuid().ToString("N")}";
            try
            {
                var session = await stripe.CreateCheckoutAsync(userId.ToString(), email, customer?.CustomerId, planId, period, stripeKey, ct);
                await audit.RecordAsync(userId, AuditKinds.CheckoutStarted, AuthRoutes.ClientIp(http), $"{planId} {period.ToWire()} ({session.SessionId})", ct);
                return new IdempotencyKeys.Outcome(StatusCodes.Status200OK, new BillingRedirectResponse(session.Url, session.SessionId), null);
            }
            catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException)
            {
                log.LogWarning(e, "stripe: checkout for {Plan} failed", planId);
                return Failure(StatusCodes.Status502BadGateway, "billing-provider-error", "Payment provider error",
                    "Stripe did not take the request; nothing was charged. Try again shortly.");
            }
        }
        return await RunAsync(http, idempotency, userId, key, body, Execute, ct);
    }

    private static async Task<IResult> Portal(HttpContext http, ClaimsPrincipal principal, BillingStore store, AuditTrail audit, ILogger<StripeBilling> log,
        CancellationToken ct)
    {
        if (http.RequestServices.GetService<StripeBilling>() is not { } stripe) return NotConfigured();
        if (UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        if (await store.CustomerOfAsync(userId, ct) is not { } customer)
            return Problems.Status(StatusCodes.Status409Conflict, "no-billing-account", "Nothing billed yet", "You have not paid for a plan yet: start with POST /api/v1/billing/checkout.");
        try
        {
            var url = await stripe.CreatePortalAsync(customer.CustomerId, null, ct);
            await audit.RecordAsync(userId, AuditKinds.BillingPortalOpened, AuthRoutes.ClientIp(http), null, ct);
            return TypedResults.Ok(new BillingRedirectResponse(url));
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException)
        {
            return ProviderFailed(log, e, "the portal session");
        }
    }

    private static async Task<IResult> Invoices(ClaimsPrincipal principal, BillingStore store, int? limit, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (limit is < 1 or > 100) return Problems.Validation(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 100"] });
        return TypedResults.Ok(await store.InvoicesAsync(tenant, limit ?? 50, ct));
    }

    /// <summary>
    /// Stripe's delivery: the signature is checked on the raw bytes (400 and nothing changed when it fails: forged, another
    /// secret, too old); a delivery seen before is answered 200 at once; a failure to reach the engine is a 503 so Stripe
    /// delivers again.
    /// </summary>
    private static async Task<IResult> Webhook(HttpContext http, ILogger<StripeWebhooks> log, CancellationToken ct)
    {
        if (http.RequestServices.GetService<StripeWebhookVerifier>() is not { } verifier) return NotConfigured();
        if (!http.Request.HasJsonContentType())
            return Problems.Status(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "The body must be application/json.");
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxEventBytes)
                return Problems.Status(StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large", $"The body must be at most {MaxEventBytes} bytes.");
        }
        var verification = verifier.Verify(buffer.ToArray(), http.Request.Headers["Stripe-Signature"].ToString());
        if (!verification.Accepted)
        {
            log.LogWarning("stripe webhook refused: {Reason}", verification.Reason);
            return Problems.Status(StatusCodes.Status400BadRequest, "webhook-signature", "Webhook refused", verification.Reason ?? "the signature does not verify");
        }
        var e = verification.Event!;
        try
        {
            var outcome = await http.RequestServices.GetRequiredService<StripeWebhooks>().HandleAsync(e, ct);
            if (outcome.Retry)
                return Problems.Status(StatusCodes.Status503ServiceUnavailable, "engine-unavailable", "Not done yet", $"{e.Id}: {outcome.Outcome}; deliver again");
            log.LogInformation("stripe event {Event} ({Type}): {Outcome}", e.Id, e.Type, outcome.Duplicate ? "seen before" : outcome.Outcome);
            return TypedResults.Ok(new WebhookResponse(true, outcome.Duplicate, outcome.Outcome));
        }
        catch (Exception ex) when (ex is StripeException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning(ex, "stripe event {Event} ({Type}): Stripe could not be read; left to its retry", e.Id, e.Type);
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "billing-provider-error", "Not done yet", $"{e.Id}: Stripe could not be read; deliver again");
        }
    }
}
