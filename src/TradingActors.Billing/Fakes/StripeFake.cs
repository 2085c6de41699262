using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TradingActors.Billing.Fakes;

/// <summary>
/// A refusal of the fake, as Stripe words it: the HTTP status and Stripe's error type, code and parameter. Thrown by the
/// operator methods (an unknown id, an operation the object's state does not allow) and answered as Stripe's error JSON.
/// </summary>
public sealed class StripeFakeException(int status, string type, string message, string? code = null, string? param = null)
    : InvalidOperationException(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Code { get; } = code;
    public string? Param { get; } = param;
}

/// <summary>
/// The local Stripe (decision 033): an ASP.NET Core server on 127.0.0.1, in memory, speaking Stripe's wire format so
/// Stripe.net works against it unchanged — Bearer secret key, form-encoded bodies in bracket notation, Idempotency-Key
/// replays, Stripe's JSON objects and errors — for the endpoints the gateway uses: customers, Checkout Sessions, portal
/// sessions, subscriptions, invoices, events. Its pages are what a demo user clicks: a checkout page whose "Pay" creates
/// the customer, the subscription and a paid invoice, and a portal page to cancel or switch plan. Operators and tests
/// drive renewals (paid or failed), cancellations and price changes, by method or POST /_fake/… (no key: it listens on
/// loopback only), and control how webhooks are delivered (<see cref="Webhooks"/>). Time comes from the TimeProvider.
/// </summary>
public sealed partial class StripeFake : IAsyncDisposable
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private readonly Lock _gate = new();
    private readonly StripeFakeOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, StripeFakePrice> _prices;
    private readonly Dictionary<string, FakeCustomer> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeCheckoutSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeInvoice> _invoices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakePortalSession> _portals = new(StringComparer.Ordinal);
    private readonly List<StripeFakeEvent> _events = [];
    private readonly Dictionary<string, Idempotent> _idempotency = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _started;
    private WebApplication? _app;
    private long _sequence;
    private long _requests;

    /// <summary>A request remembered under its Idempotency-Key: its fingerprint and, once done, its answer.</summary>
    private sealed record Idempotent(string Fingerprint, int? Status, string? Body, string? RequestId);

    /// <summary>An answer of the API: status and Stripe JSON.</summary>
    private sealed record Reply(int Status, JsonNode Body);

    public StripeFake(StripeFakeOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.SecretKey) || string.IsNullOrEmpty(options.WebhookSecret))
            throw new ArgumentException("the fake needs a secret key and a webhook secret", nameof(options));
        _options = options;
        _time = time ?? TimeProvider.System;
        _prices = options.Prices.ToDictionary(p => p.Id, StringComparer.Ordinal);
        _started = Now();
        Webhooks = new StripeWebhookSender(options.WebhookSecret, options.WebhookUrl, _time, options.DeliveryAttempts, options.DeliveryRetryDelay, options.DeliveryTimeout);
    }

    /// <summary>Where the fake listens ("http://127.0.0.1:port/"): the gateway's ApiBase.</summary>
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>How and where events are delivered, and what was delivered.</summary>
    public StripeWebhookSender Webhooks { get; }

    /// <summary>API requests answered so far (refusals included).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Every event emitted, oldest first.</summary>
    public IReadOnlyList<StripeFakeEvent> Events
    {
        get { lock (_gate) return [.. _events]; }
    }

    /// <summary>Starts a fake on 127.0.0.1:<paramref name="port"/> (0: any free port); what a CLI or script calls. Prints nothing.</summary>
    public static async Task<StripeFake> StartAsync(StripeFakeOptions options, int port = 0, TimeProvider? time = null, CancellationToken ct = default)
    {
        var fake = new StripeFake(options, time);
        try
        {
            await fake.StartAsync(port, ct);
            return fake;
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync(int port = 0, CancellationToken ct = default)
    {
        if (_app is not null) throw new InvalidOperationException("the fake is already started");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Services.AddRouting();
        var app = builder.Build();
        MapRoutes(app);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        Webhooks.Dispose();
    }

    // ---- operator controls ------------------------------------------------------------------------------------------

    /// <summary>
    /// Pays an open Checkout Session (the page's "Pay"): the customer (when the session had none), an active subscription
    /// for one period from now, a paid invoice, the session complete; then delivers customer.created (a new customer),
    /// customer.subscription.created, invoice.paid and checkout.session.completed. Paying a completed session again
    /// changes nothing. Returns the subscription id.
    /// </summary>
    public async Task<string> CompleteCheckoutAsync(string sessionId, CancellationToken ct = default)
    {
        var (subscriptionId, events) = Locked(() => CompleteCheckout(sessionId));
        await Webhooks.EmitAsync(events, ct);
        return subscriptionId;
    }

    /// <summary>
    /// The subscription's next payment: an active one moves to its next period with a new invoice; a past-due one retries
    /// its open invoice. Paid: invoice.paid and customer.subscription.updated (active). Failed: invoice.payment_failed and
    /// customer.subscription.updated (past_due), or — at <see cref="StripeFakeOptions.MaxPaymentFailures"/> failures in a
    /// row — canceled with customer.subscription.deleted.
    /// </summary>
    public async Task RenewAsync(string subscriptionId, bool paymentSucceeds, CancellationToken ct = default)
    {
        var events = Locked(() => Renew(subscriptionId, paymentSucceeds));
        await Webhooks.EmitAsync(events, ct);
    }

    /// <summary>Cancels the subscription now: canceled, then customer.subscription.deleted.</summary>
    public async Task CancelAsync(string subscriptionId, CancellationToken ct = default)
    {
        var events = Locked(() => Cancel(subscriptionId));
        await Webhooks.EmitAsync(events, ct);
    }

    /// <summary>
    /// Switches the subscription to another price (customer.subscription.updated). Another interval starts a new period now
    /// with a paid invoice (invoice.paid first); the same interval keeps the period (prorations are not modelled).
    /// </summary>
    public async Task ChangePriceAsync(string subscriptionId, string priceId, CancellationToken ct = default)
    {
        var events = Locked(() => ChangePrice(subscriptionId, priceId));
        await Webhooks.EmitAsync(events, ct);
    }

    /// <summary>Delivers an emitted event again now, whatever the delivery settings (the dashboard's "resend").</summary>
    public Task ResendAsync(string eventId, CancellationToken ct = default)
    {
        var e = Locked(() => _events.FirstOrDefault(x => x.Id == eventId)) ?? throw NotFound("event", eventId);
        return Webhooks.RedeliverAsync(e, ct);
    }

    /// <summary>The subscription a completed Checkout Session created, or null.</summary>
    public string? SubscriptionOf(string checkoutSessionId) =>
        Locked(() => _sessions.TryGetValue(checkoutSessionId, out var s) ? s.SubscriptionId : null);

    /// <summary>The subscription's status now ("active", "past_due", "canceled"…), or null for an unknown id.</summary>
    public string? StatusOf(string subscriptionId) =>
        Locked(() => _subscriptions.TryGetValue(subscriptionId, out var s) ? s.Status : null);

    internal FakeCheckoutSession? Session(string id) => Locked(() => _sessions.GetValueOrDefault(id));

    // ---- state changes (under the lock) -----------------------------------------------------------------------------

    private (string SubscriptionId, List<StripeFakeEvent> Events) CompleteCheckout(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session)) throw NotFound("checkout.session", sessionId);
        if (session.Status == "complete") return (session.SubscriptionId!, []);
        if (session.Status != "open") throw Invalid("This Checkout Session is no longer active.");
        var now = Now();
        var events = new List<StripeFakeEvent>();
        if (session.CustomerId is null)
        {
            var customer = NewCustomer(session.CustomerEmail, [], now);
            session.CustomerId = customer.Id;
            events.Add(Emit("customer.created", customer.ToJson()));
        }
        var subscription = new FakeSubscription
        {
            Id = NewId("sub"),
            ItemId = NewId("si"),
            CustomerId = session.CustomerId,
            Price = session.Price,
            Created = now,
            Anchor = now,
            Metadata = new Dictionary<string, string>(session.SubscriptionMetadata, StringComparer.Ordinal),
        };
        _subscriptions.Add(subscription.Id, subscription);
        var invoice = NewInvoice(subscription, "subscription_create", now);
        Pay(invoice, now);
        session.Status = "complete";
        session.PaymentStatus = "paid";
        session.SubscriptionId = subscription.Id;
        session.InvoiceId = invoice.Id;
        events.Add(Emit("customer.subscription.created", subscription.ToJson()));
        events.Add(Emit("invoice.paid", invoice.ToJson()));
        events.Add(Emit("checkout.session.completed", session.ToJson()));
        return (subscription.Id, events);
    }

    private List<StripeFakeEvent> Renew(string subscriptionId, bool paymentSucceeds)
    {
        var subscription = Subscription(subscriptionId);
        var now = Now();
        var status = subscription.Status;
        FakeInvoice invoice;
        if (status is "active" or "trialing")
        {
            subscription.Cycle++;
            invoice = NewInvoice(subscription, "subscription_cycle", now);
        }
        else if (status is "past_due" or "unpaid" && subscription.LatestInvoiceId is { } open && _invoices[open].Status == "open")
        {
            invoice = _invoices[open];
        }
        else
        {
            throw Invalid($"subscription '{subscriptionId}' is {status}: there is no payment to collect", "subscription");
        }

        invoice.AttemptCount++;
        var events = new List<StripeFakeEvent>();
        if (paymentSucceeds)
        {
            Pay(invoice, now);
            subscription.Status = "active";
            subscription.Failures = 0;
            events.Add(Emit("invoice.paid", invoice.ToJson()));
            events.Add(Emit("customer.subscription.updated", subscription.ToJson(), Previous(status, subscription.Status)));
            return events;
        }

        subscription.Failures++;
        events.Add(Emit("invoice.payment_failed", invoice.ToJson()));
        if (subscription.Failures >= Math.Max(1, _options.MaxPaymentFailures))
        {
            End(subscription, now);
            events.Add(Emit("customer.subscription.deleted", subscription.ToJson(), Previous(status, subscription.Status)));
        }
        else
        {
            subscription.Status = "past_due";
            events.Add(Emit("customer.subscription.updated", subscription.ToJson(), Previous(status, subscription.Status)));
        }
        return events;
    }

    private List<StripeFakeEvent> Cancel(string subscriptionId)
    {
        var subscription = Subscription(subscriptionId);
        if (subscription.Status is "canceled" or "incomplete_expired")
            throw Invalid($"subscription '{subscriptionId}' is already {subscription.Status}", "subscription");
        var status = subscription.Status;
        End(subscription, Now());
        return [Emit("customer.subscription.deleted", subscription.ToJson(), Previous(status, subscription.Status))];
    }

    private List<StripeFakeEvent> ChangePrice(string subscriptionId, string priceId)
    {
        var subscription = Subscription(subscriptionId);
        if (!_prices.TryGetValue(priceId, out var price)) throw NotFound("price", priceId, "price");
        if (subscription.Status is "canceled" or "incomplete_expired")
            throw Invalid($"subscription '{subscriptionId}' is {subscription.Status}: its price cannot change", "subscription");
        if (subscription.Price.Id == priceId) return [];
        var previous = new JsonObject { ["items"] = subscription.ToJson()["items"]!.DeepClone() };
        var now = Now();
        var events = new List<StripeFakeEvent>();
        var newInterval = subscription.Price.Interval != price.Interval;
        subscription.Price = price;
        if (newInterval)
        {
            subscription.Anchor = now;
            subscription.Cycle = 0;
            var invoice = NewInvoice(subscription, "subscription_update", now);
            invoice.AttemptCount = 1;
            Pay(invoice, now);
            events.Add(Emit("invoice.paid", invoice.ToJson()));
        }
        events.Add(Emit("customer.subscription.updated", subscription.ToJson(), previous));
        return events;
    }

    private static JsonObject? Previous(string before, string after) => before == after ? null : new JsonObject { ["status"] = before };

    private static void End(FakeSubscription subscription, DateTimeOffset now)
    {
        subscription.Status = "canceled";
        subscription.CanceledAt = now;
        subscription.EndedAt = now;
        subscription.CancelAtPeriodEnd = false;
    }

    private static void Pay(FakeInvoice invoice, DateTimeOffset now)
    {
        invoice.Status = "paid";
        invoice.PaidAt = now;
        if (invoice.AttemptCount == 0) invoice.AttemptCount = 1;
    }

    private FakeCustomer NewCustomer(string? email, Dictionary<string, string> metadata, DateTimeOffset now)
    {
        var customer = new FakeCustomer { Id = NewId("cus"), Email = email, Created = now, Metadata = metadata };
        _customers.Add(customer.Id, customer);
        return customer;
    }

    private FakeInvoice NewInvoice(FakeSubscription subscription, string reason, DateTimeOffset now)
    {
        var customer = _customers[subscription.CustomerId];
        customer.Invoices++;
        var id = NewId("in");
        var invoice = new FakeInvoice
        {
            Id = id,
            Sequence = Interlocked.Increment(ref _sequence),
            Number = $"{customer.Id[4..12].ToUpperInvariant()}-{customer.Invoices:0000}",
            CustomerId = customer.Id,
            SubscriptionId = subscription.Id,
            Price = subscription.Price,
            SubscriptionMetadata = new Dictionary<string, string>(subscription.Metadata, StringComparer.Ordinal),
            Created = now,
            LineStart = subscription.PeriodStart,
            LineEnd = subscription.PeriodEnd,
            BillingReason = reason,
            HostedUrl = new Uri(BaseUrl, $"invoices/{id}").ToString(),
        };
        _invoices.Add(invoice.Id, invoice);
        subscription.LatestInvoiceId = invoice.Id;
        return invoice;
    }

    private StripeFakeEvent Emit(string type, JsonObject data, JsonObject? previous = null)
    {
        var id = NewId("evt");
        var created = Now();
        var dataNode = new JsonObject { ["object"] = data };
        if (previous is not null) dataNode["previous_attributes"] = previous;
        var json = new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
            ["created"] = StripeJson.Unix(created),
            ["data"] = dataNode,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();
        var e = new StripeFakeEvent(id, type, created, json);
        _events.Add(e);
        return e;
    }

    private FakeSubscription Subscription(string id) =>
        _subscriptions.TryGetValue(id, out var s) ? s : throw NotFound("subscription", id);

    private T Locked<T>(Func<T> f)
    {
        lock (_gate) return f();
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());

    private static string NewId(string prefix) => $"{prefix}_{(prefix is "cs" or "bps" ? "test_" : "")}{RandomNumberGenerator.GetString(IdAlphabet, 24)}";

    /// <summary>An unknown object: 404 when the URL names it, 400 when a parameter does (as Stripe answers).</summary>
    private static StripeFakeException NotFound(string what, string id, string param = "id") =>
        new(param == "id" ? 404 : 400, "invalid_request_error", $"No such {what}: '{id}'", "resource_missing", param);

    private static StripeFakeException Invalid(string message, string? param = null) =>
        new(400, "invalid_request_error", message, null, param);

    private static StripeFakeException Missing(string param) =>
        new(400, "invalid_request_error", $"Missing required param: {param}.", "parameter_missing", param);

    // ---- the API ----------------------------------------------------------------------------------------------------

    private void MapRoutes(WebApplication app)
    {
        UseRefusals(app);
        app.Map("/v1/{**path}", ApiAsync);
        MapPages(app);
        MapControls(app);
    }

    private async Task ApiAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _requests);
        var requestId = NewId("req");
        ctx.Response.Headers["Request-Id"] = requestId;
        var method = ctx.Request.Method;
        var path = ctx.Request.Path.Value ?? "";
        if (Unauthorized(ctx.Request) is { } refusal)
        {
            await WriteAsync(ctx, Error(refusal));
            return;
        }

        StripeForm form;
        try
        {
            form = StripeForm.Parse(HttpMethods.IsPost(method) ? await ReadBodyAsync(ctx.Request) : ctx.Request.QueryString.Value);
        }
        catch (FormatException e)
        {
            await WriteAsync(ctx, Error(Invalid(e.Message)));
            return;
        }

        var key = HttpMethods.IsPost(method) ? ctx.Request.Headers["Idempotency-Key"].ToString() : "";
        if (key.Length > 0)
        {
            if (key.Length > 255)
            {
                await WriteAsync(ctx, Error(Invalid("Invalid Idempotency-Key: it must be at most 255 characters.")));
                return;
            }
            var fingerprint = $"{method} {path}?{form.Canonical()}";
            Idempotent? seen;
            lock (_gate)
            {
                if (!_idempotency.TryGetValue(key, out seen)) _idempotency[key] = new Idempotent(fingerprint, null, null, null);
            }
            if (seen is not null)
            {
                await ReplayAsync(ctx, key, fingerprint, seen);
                return;
            }
            ctx.Response.Headers["Idempotency-Key"] = key;
        }

        Reply reply;
        try
        {
            reply = Locked(() => Dispatch(method, path, form));
        }
        catch (StripeFakeException e)
        {
            reply = Error(e);
        }

        if (key.Length > 0)
        {
            lock (_gate)
            {
                // Only a request that ran is remembered (as Stripe): a refused one may be sent again, fixed, under its key.
                if (reply.Status is >= 200 and < 300) _idempotency[key] = _idempotency[key] with { Status = reply.Status, Body = reply.Body.ToJsonString(), RequestId = requestId };
                else _idempotency.Remove(key);
            }
        }
        await WriteAsync(ctx, reply);
    }

    private static async Task ReplayAsync(HttpContext ctx, string key, string fingerprint, Idempotent seen)
    {
        if (seen.Fingerprint != fingerprint)
        {
            await WriteAsync(ctx, new Reply(400, ErrorBody("idempotency_error",
                $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.")));
            return;
        }
        if (seen.Status is not { } status)
        {
            await WriteAsync(ctx, new Reply(409, ErrorBody("idempotency_error",
                "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): " + key + ". Please try again later.")));
            return;
        }
        ctx.Response.Headers["Idempotency-Key"] = key;
        ctx.Response.Headers["Idempotent-Replayed"] = "true";
        ctx.Response.Headers["Original-Request"] = seen.RequestId;
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(seen.Body!);
    }

    /// <summary>Null when the request carries the secret key (Bearer, or Basic with the key as user name).</summary>
    private StripeFakeException? Unauthorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        string? key = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) key = header[7..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                key = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':')[0];
            }
            catch (FormatException)
            {
                key = "";
            }
        }
        if (string.IsNullOrEmpty(key))
            return new StripeFakeException(401, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
        var expected = Encoding.UTF8.GetBytes(_options.SecretKey);
        var given = Encoding.UTF8.GetBytes(key);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : new StripeFakeException(401, "invalid_request_error", $"Invalid API Key provided: {Mask(key)}");
    }

    /// <summary>The key's kind only (sk_test_****): a refusal never repeats a key.</summary>
    internal static string Mask(string key) => KeyPrefix().Match(key) is { Success: true } m ? m.Value + "****" : "****";

    [GeneratedRegex("^(sk|rk|pk)_(test_|live_)?")]
    private static partial Regex KeyPrefix();

    private Reply Dispatch(string method, string path, StripeForm form)
    {
        var segments = path.Trim('/').Split('/');
        var get = HttpMethods.IsGet(method);
        var post = HttpMethods.IsPost(method);
        return segments switch
        {
            ["v1", "customers"] when post => CreateCustomer(form),
            ["v1", "customers", var id] when get => Ok(_customers.TryGetValue(id, out var c) ? c.ToJson() : throw NotFound("customer", id)),
            ["v1", "checkout", "sessions"] when post => CreateCheckoutSession(form),
            ["v1", "checkout", "sessions", var id] when get => Ok(_sessions.TryGetValue(id, out var s) ? s.ToJson() : throw NotFound("checkout.session", id)),
            ["v1", "billing_portal", "sessions"] when post => CreatePortalSession(form),
            ["v1", "subscriptions", var id] when get => Ok(Subscription(id).ToJson()),
            ["v1", "invoices"] when get => ListInvoices(form),
            ["v1", "invoices", var id] when get => Ok(_invoices.TryGetValue(id, out var i) ? i.ToJson() : throw NotFound("invoice", id)),
            ["v1", "events"] when get => Page("/v1/events", _events.AsEnumerable().Reverse().Select(e => (e.Id, JsonNode.Parse(e.Json)!)), form),
            ["v1", "events", var id] when get => Ok(_events.FirstOrDefault(e => e.Id == id) is { } e ? JsonNode.Parse(e.Json)! : throw NotFound("event", id)),
            _ => throw new StripeFakeException(404, "invalid_request_error",
                $"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."),
        };
    }

    private Reply CreateCustomer(StripeForm form)
    {
        var customer = NewCustomer(form["email"], form.Node("metadata")?.ToStringMap() ?? [], Now());
        return Ok(customer.ToJson());
    }

    private Reply CreateCheckoutSession(StripeForm form)
    {
        var mode = form["mode"] ?? throw Missing("mode");
        if (mode != "subscription") throw Invalid($"The fake sells subscriptions only: mode '{mode}' is not supported.", "mode");
        var items = form.Node("line_items")?.Items ?? [];
        if (items.Count == 0) throw Missing("line_items");
        if (items.Count > 1) throw Invalid("The fake sells one price per subscription: send one line item.", "line_items");
        var priceId = items[0]["price"]?.Value ?? throw Missing("line_items[0][price]");
        if (!_prices.TryGetValue(priceId, out var price)) throw NotFound("price", priceId, "line_items[0][price]");
        var quantity = items[0]["quantity"]?.Value is { } q ? long.Parse(q, CultureInfo.InvariantCulture) : 1;
        if (quantity != 1) throw Invalid("The fake sells a quantity of 1.", "line_items[0][quantity]");
        var successUrl = form["success_url"] ?? throw Missing("success_url");
        var customerId = form["customer"];
        var email = form["customer_email"];
        if (customerId is not null && email is not null)
            throw Invalid("You may only specify one of these parameters: customer, customer_email.", "customer");
        if (customerId is not null && !_customers.ContainsKey(customerId)) throw NotFound("customer", customerId, "customer");
        var reference = form["client_reference_id"];
        if (reference is { Length: > 200 }) throw Invalid("client_reference_id must be at most 200 characters.", "client_reference_id");
        var id = NewId("cs");
        var session = new FakeCheckoutSession
        {
            Id = id,
            Price = price,
            Quantity = quantity,
            SuccessUrl = successUrl,
            CancelUrl = form["cancel_url"],
            ClientReferenceId = reference,
            CustomerId = customerId,
            CustomerEmail = email,
            Metadata = form.Node("metadata")?.ToStringMap() ?? [],
            SubscriptionMetadata = form.Node("subscription_data")?["metadata"]?.ToStringMap() ?? [],
            Created = Now(),
            Url = new Uri(BaseUrl, $"checkout/{id}").ToString(),
        };
        _sessions.Add(id, session);
        return Ok(session.ToJson());
    }

    private Reply CreatePortalSession(StripeForm form)
    {
        var customerId = form["customer"] ?? throw Missing("customer");
        if (!_customers.ContainsKey(customerId)) throw NotFound("customer", customerId, "customer");
        var id = NewId("bps");
        var portal = new FakePortalSession
        {
            Id = id,
            CustomerId = customerId,
            ReturnUrl = form["return_url"],
            Created = Now(),
            Url = new Uri(BaseUrl, $"portal/{id}").ToString(),
        };
        _portals.Add(id, portal);
        return Ok(portal.ToJson());
    }

    private Reply ListInvoices(StripeForm form)
    {
        var customer = form["customer"];
        var subscription = form["subscription"];
        var invoices = _invoices.Values
            .Where(i => (customer is null || i.CustomerId == customer) && (subscription is null || i.SubscriptionId == subscription))
            .OrderByDescending(i => i.Created).ThenByDescending(i => i.Sequence)
            .Select(i => (i.Id, (JsonNode)i.ToJson()));
        return Page("/v1/invoices", invoices, form);
    }

    /// <summary>A list page, newest first as given: limit (1..100, default 10), starting_after / ending_before an id.</summary>
    private static Reply Page(string url, IEnumerable<(string Id, JsonNode Json)> newestFirst, StripeForm form)
    {
        var limit = 10;
        if (form["limit"] is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
            throw Invalid("Invalid limit: must be between 1 and 100", "limit");
        var all = newestFirst.ToList();
        var start = 0;
        var end = all.Count;
        if (form["starting_after"] is { } after)
        {
            var at = all.FindIndex(x => x.Id == after);
            if (at < 0) throw NotFound("object", after, "starting_after");
            start = at + 1;
        }
        else if (form["ending_before"] is { } before)
        {
            var at = all.FindIndex(x => x.Id == before);
            if (at < 0) throw NotFound("object", before, "ending_before");
            end = at;
            start = Math.Max(0, end - limit);
        }
        var page = all.Skip(start).Take(Math.Min(limit, end - start)).ToList();
        return Ok(StripeJson.List(url, page.Select(p => p.Json), hasMore: start + page.Count < end));
    }

    private static Reply Ok(JsonNode body) => new(200, body);

    private static Reply Error(StripeFakeException e)
    {
        var error = ErrorBody(e.Type, e.Message);
        var inner = error["error"]!.AsObject();
        if (e.Code is not null)
        {
            inner["code"] = e.Code;
            inner["doc_url"] = $"https://stripe.com/docs/error-codes/{e.Code.Replace('_', '-')}";
        }
        if (e.Param is not null) inner["param"] = e.Param;
        return new Reply(e.Status, error);
    }

    private static JsonObject ErrorBody(string type, string message) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type },
    };

    private static async Task WriteAsync(HttpContext ctx, Reply reply)
    {
        ctx.Response.StatusCode = reply.Status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(reply.Body.ToJsonString());
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
