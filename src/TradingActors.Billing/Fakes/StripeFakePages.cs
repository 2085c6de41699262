using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace TradingActors.Billing.Fakes;

// The fake's pages (what a demo user clicks: checkout, portal, hosted invoice) and its operator routes (/_fake/…).
public sealed partial class StripeFake
{
    private void MapPages(WebApplication app)
    {
        app.MapGet("/checkout/{id}", ctx => HtmlAsync(ctx, CheckoutPage(Id(ctx))));
        app.MapPost("/checkout/{id}/pay", async ctx =>
        {
            var id = Id(ctx);
            await CompleteCheckoutAsync(id, CancellationToken.None);
            var session = Locked(() => _sessions[id]);
            ctx.Response.Redirect(session.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", id, StringComparison.Ordinal));
            ctx.Response.StatusCode = StatusCodes.Status303SeeOther;
        });
        app.MapGet("/portal/{id}", ctx => HtmlAsync(ctx, PortalPage(Id(ctx))));
        app.MapPost("/portal/{id}/cancel", async ctx =>
        {
            var form = StripeForm.Parse(await ReadBodyAsync(ctx.Request));
            var subscriptionId = PortalSubscription(Id(ctx), form["subscription"]);
            await CancelAsync(subscriptionId, CancellationToken.None);
            ctx.Response.Redirect($"/portal/{Id(ctx)}");
            ctx.Response.StatusCode = StatusCodes.Status303SeeOther;
        });
        app.MapPost("/portal/{id}/switch", async ctx =>
        {
            var form = StripeForm.Parse(await ReadBodyAsync(ctx.Request));
            var subscriptionId = PortalSubscription(Id(ctx), form["subscription"]);
            await ChangePriceAsync(subscriptionId, form["price"] ?? throw Missing("price"), CancellationToken.None);
            ctx.Response.Redirect($"/portal/{Id(ctx)}");
            ctx.Response.StatusCode = StatusCodes.Status303SeeOther;
        });
        app.MapGet("/invoices/{id}", ctx => HtmlAsync(ctx, InvoicePage(Id(ctx))));
    }

    private void MapControls(WebApplication app)
    {
        app.MapPost("/_fake/checkout/sessions/{id}/complete", async ctx =>
            await JsonAsync(ctx, new JsonObject { ["subscription"] = await CompleteCheckoutAsync(Id(ctx), CancellationToken.None) }));
        app.MapPost("/_fake/subscriptions/{id}/renew", async ctx =>
        {
            var form = await ParamsAsync(ctx);
            var paid = (form["payment"] ?? "succeeded") switch
            {
                "succeeded" => true,
                "failed" => false,
                var other => throw Invalid($"payment must be succeeded or failed, not '{other}'", "payment"),
            };
            await RenewAsync(Id(ctx), paid, CancellationToken.None);
            await JsonAsync(ctx, new JsonObject { ["status"] = StatusOf(Id(ctx)) });
        });
        app.MapPost("/_fake/subscriptions/{id}/cancel", async ctx =>
        {
            await CancelAsync(Id(ctx), CancellationToken.None);
            await JsonAsync(ctx, new JsonObject { ["status"] = StatusOf(Id(ctx)) });
        });
        app.MapPost("/_fake/subscriptions/{id}/price", async ctx =>
        {
            var form = await ParamsAsync(ctx);
            await ChangePriceAsync(Id(ctx), form["price"] ?? throw Missing("price"), CancellationToken.None);
            await JsonAsync(ctx, new JsonObject { ["status"] = StatusOf(Id(ctx)) });
        });
        app.MapPost("/_fake/events/{id}/resend", async ctx =>
        {
            await ResendAsync(Id(ctx), CancellationToken.None);
            await JsonAsync(ctx, new JsonObject { ["resent"] = Id(ctx) });
        });
        app.MapPost("/_fake/webhooks", async ctx =>
        {
            var form = await ParamsAsync(ctx);
            if (form["url"] is { } url)
                Webhooks.EndpointUrl = url.Length == 0 ? null
                    : Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : throw Invalid("url must be an absolute URL", "url");
            var current = Webhooks.Settings;
            Webhooks.Settings = new WebhookDeliverySettings(
                form["order"] is { } order ? Order(order) : current.Order,
                form["repeat"] is { } repeat ? Number(repeat, "repeat", 1, 100) : current.Repeat,
                form["seed"] is { } seed ? Number(seed, "seed", int.MinValue, int.MaxValue) : current.Seed,
                form["hold"] is { } hold ? hold == "true" : current.Hold);
            await JsonAsync(ctx, SettingsJson());
        });
        app.MapGet("/_fake/webhooks", ctx => JsonAsync(ctx, SettingsJson()));
        app.MapPost("/_fake/webhooks/release", async ctx =>
        {
            var form = await ParamsAsync(ctx);
            var ids = form["events"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            try
            {
                await Webhooks.ReleaseAsync(ids, form["order"] is { } order ? Order(order) : WebhookOrder.InOrder, CancellationToken.None);
            }
            catch (ArgumentException e)
            {
                throw Invalid(e.Message, "events");
            }
            await JsonAsync(ctx, SettingsJson());
        });
        app.MapGet("/_fake/webhooks/attempts", ctx => JsonAsync(ctx, new JsonArray([.. Webhooks.Attempts.Select(a => (JsonNode)new JsonObject
        {
            ["event"] = a.EventId,
            ["type"] = a.EventType,
            ["attempt"] = a.Attempt,
            ["status"] = a.StatusCode,
            ["error"] = a.Error,
            ["at"] = a.At.ToString("O", CultureInfo.InvariantCulture),
        })])));
    }

    /// <summary>Every page and control answers a refusal as Stripe's error JSON (the API does so itself).</summary>
    private static void UseRefusals(WebApplication app) =>
        app.Use(async (ctx, next) =>
        {
            try
            {
                await next(ctx);
            }
            catch (StripeFakeException e) when (!ctx.Response.HasStarted)
            {
                await WriteAsync(ctx, Error(e));
            }
            catch (FormatException e) when (!ctx.Response.HasStarted)
            {
                await WriteAsync(ctx, Error(Invalid(e.Message)));
            }
        });

    private JsonObject SettingsJson()
    {
        var s = Webhooks.Settings;
        return new JsonObject
        {
            ["url"] = Webhooks.EndpointUrl?.ToString(),
            ["order"] = s.Order.ToString(),
            ["repeat"] = s.Repeat,
            ["seed"] = s.Seed,
            ["hold"] = s.Hold,
            ["held"] = new JsonArray([.. Webhooks.Held.Select(e => (JsonNode)e.Id)]),
        };
    }

    private static WebhookOrder Order(string text) => text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "inorder" or "normal" => WebhookOrder.InOrder,
        "reverse" => WebhookOrder.Reverse,
        "shuffle" => WebhookOrder.Shuffle,
        _ => throw Invalid($"order must be in_order, reverse or shuffle, not '{text}'", "order"),
    };

    private static int Number(string text, string param, int min, int max) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Invalid($"{param} must be a whole number in {min}..{max}", param);

    /// <summary>The query string's parameters, then the form body's (either may carry them).</summary>
    private static async Task<StripeForm> ParamsAsync(HttpContext ctx)
    {
        var body = await ReadBodyAsync(ctx.Request);
        var query = ctx.Request.QueryString.Value?.TrimStart('?') ?? "";
        return StripeForm.Parse(string.Join('&', new[] { query, body }.Where(s => s.Length > 0)));
    }

    private static string Id(HttpContext ctx) => ctx.Request.RouteValues["id"]?.ToString() ?? "";

    private string PortalSubscription(string portalId, string? subscriptionId)
    {
        return Locked(() =>
        {
            if (!_portals.TryGetValue(portalId, out var portal)) throw NotFound("billing_portal.session", portalId);
            if (subscriptionId is null) throw Missing("subscription");
            // A portal acts on its own customer's subscriptions only.
            if (!_subscriptions.TryGetValue(subscriptionId, out var s) || s.CustomerId != portal.CustomerId)
                throw NotFound("subscription", subscriptionId, "subscription");
            return s.Id;
        });
    }

    // ---- pages --------------------------------------------------------------------------------------------------------

    private string CheckoutPage(string sessionId) => Locked(() =>
    {
        if (!_sessions.TryGetValue(sessionId, out var s)) throw NotFound("checkout.session", sessionId);
        var body = new StringBuilder();
        body.Append($"<h1>Subscribe to {E(s.Price.ProductName)}</h1>");
        body.Append($"<p class=\"price\">{E(Money(s.Price.UnitAmount, s.Price.Currency))} per {E(s.Price.Interval)}</p>");
        var email = s.CustomerId is { } c && _customers.TryGetValue(c, out var customer) ? customer.Email : s.CustomerEmail;
        if (email is not null) body.Append($"<p>Billed to {E(email)}</p>");
        if (s.Status == "open")
        {
            body.Append($"<form method=\"post\" action=\"/checkout/{E(s.Id)}/pay\"><button type=\"submit\">Pay {E(Money(s.Price.UnitAmount, s.Price.Currency))}</button></form>");
            if (s.CancelUrl is not null) body.Append($"<p><a href=\"{E(s.CancelUrl)}\">Cancel and go back</a></p>");
        }
        else
        {
            body.Append($"<p>This checkout is {E(s.Status)}.</p>");
            body.Append($"<p><a href=\"{E(s.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", s.Id, StringComparison.Ordinal))}\">Continue</a></p>");
        }
        return Page("Checkout (Stripe fake)", body.ToString());
    });

    private string PortalPage(string portalId) => Locked(() =>
    {
        if (!_portals.TryGetValue(portalId, out var portal)) throw NotFound("billing_portal.session", portalId);
        var body = new StringBuilder("<h1>Your subscription</h1>");
        var subscriptions = _subscriptions.Values.Where(s => s.CustomerId == portal.CustomerId).OrderByDescending(s => s.Created).ToList();
        if (subscriptions.Count == 0) body.Append("<p>No subscription.</p>");
        foreach (var s in subscriptions)
        {
            body.Append("<section>");
            body.Append($"<h2>{E(s.Price.ProductName)} — {E(Money(s.Price.UnitAmount, s.Price.Currency))} per {E(s.Price.Interval)}</h2>");
            body.Append($"<p>Status: <strong>{E(s.Status)}</strong>; current period ends {E(s.PeriodEnd.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}</p>");
            if (s.Status is not ("canceled" or "incomplete_expired"))
            {
                body.Append($"<form method=\"post\" action=\"/portal/{E(portal.Id)}/cancel\"><input type=\"hidden\" name=\"subscription\" value=\"{E(s.Id)}\"><button type=\"submit\">Cancel now</button></form>");
                foreach (var other in _prices.Values.Where(p => p.Id != s.Price.Id).OrderBy(p => p.UnitAmount))
                {
                    body.Append($"<form method=\"post\" action=\"/portal/{E(portal.Id)}/switch\"><input type=\"hidden\" name=\"subscription\" value=\"{E(s.Id)}\"><input type=\"hidden\" name=\"price\" value=\"{E(other.Id)}\">");
                    body.Append($"<button type=\"submit\">Switch to {E(other.ProductName)} {E(other.Period.ToWire())} ({E(Money(other.UnitAmount, other.Currency))})</button></form>");
                }
            }
            body.Append("</section>");
        }
        var invoices = _invoices.Values.Where(i => i.CustomerId == portal.CustomerId).OrderByDescending(i => i.Sequence).ToList();
        if (invoices.Count > 0)
        {
            body.Append("<h2>Invoices</h2><ul>");
            foreach (var i in invoices)
                body.Append($"<li><a href=\"/invoices/{E(i.Id)}\">{E(i.Number)}</a> {E(Money(i.AmountDue, i.Price.Currency))} {E(i.Status)}</li>");
            body.Append("</ul>");
        }
        if (portal.ReturnUrl is not null) body.Append($"<p><a href=\"{E(portal.ReturnUrl)}\">Return</a></p>");
        return Page("Billing portal (Stripe fake)", body.ToString());
    });

    private string InvoicePage(string invoiceId) => Locked(() =>
    {
        if (!_invoices.TryGetValue(invoiceId, out var i)) throw NotFound("invoice", invoiceId);
        var body = $"<h1>Invoice {E(i.Number)}</h1><p>{E(i.Price.ProductName)} {E(i.Price.Period.ToWire())}: {E(Money(i.AmountDue, i.Price.Currency))}, {E(i.Status)}</p>"
            + $"<p>Service period {E(i.LineStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))} to {E(i.LineEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}</p>";
        return Page("Invoice (Stripe fake)", body);
    });

    private static string Page(string title, string body) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{E(title)}</title></head><body>{body}</body></html>";

    private static string Money(long cents, string currency) =>
        (currency == "usd" ? "$" : currency.ToUpperInvariant() + " ") + (cents / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static async Task HtmlAsync(HttpContext ctx, string html)
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(html);
    }

    private static async Task JsonAsync(HttpContext ctx, JsonNode json)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(json.ToJsonString());
    }
}
