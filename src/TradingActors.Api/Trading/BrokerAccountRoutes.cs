using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Identity;
using TradingActors.Credentials;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using static TradingActors.Api.Trading.TenantCommands;

namespace TradingActors.Api.Trading;

/// <summary>The user's keys at a venue, as sent once to link an account. Never echoed, logged or stored in clear.</summary>
public sealed record BrokerCredentialsRequest(string? ApiKey, string? Secret, string? AccountNumber, string? Passphrase)
{
    public override string ToString() => "BrokerCredentialsRequest { *** }";
}

/// <summary>POST /api/v1/broker-accounts. Mode: paper (the embedded paper venue), testnet or live. The paper venue takes no credentials.</summary>
public sealed record LinkBrokerAccountRequest(string? Venue, string? Label, string? Mode, BrokerCredentialsRequest? Credentials)
{
    public override string ToString() => $"LinkBrokerAccountRequest {{ Venue = {Venue}, Label = {Label}, Mode = {Mode} }}";
}

/// <summary>PATCH /api/v1/broker-accounts/{id}: a new label, and/or primary = true to make it its venue's primary account.</summary>
public sealed record UpdateBrokerAccountRequest(string? Label, bool? Primary);

/// <summary>
/// A linked account as the user sees it: never a secret — at most the last 4 characters of the API key id (KeyIdHint).
/// Status: unverified, verified or failed (StatusReason says why). Version (after a change): pass it as minVersion.
/// </summary>
public sealed record BrokerAccountResponse(string Id, string Venue, string Label, string Mode, string Status, string? StatusReason, string? KeyIdHint,
    bool Primary, DateTimeOffset? LinkedAt, DateTimeOffset? VerifiedAt, long? Version = null);

public sealed record BrokerAccountCheckResponse(string Id, bool Passed, string Status, string? Reason, long Version);

public sealed record UnlinkedBrokerAccountResponse(string Id, long Version);

/// <summary>
/// The caller's broker accounts (decision 011). Credentials are sealed here, under the tenant's data key, before
/// anything leaves the request: the tenant receives and persists only ciphertext, and only the account's
/// BrokerSession opens it. Reads come from the read models under row level security.
/// </summary>
public static class BrokerAccountRoutes
{
    public static IEndpointRouteBuilder MapBrokerAccountRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/broker-accounts").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit)
            .WithTags("broker-accounts");
        api.MapPost("", Link)
            .WithSummary("Link an account: a venue, a label, a mode and the venue's credentials (encrypted before they reach the engine; Idempotency-Key honoured)")
            .AcceptsJson<LinkBrokerAccountRequest>().Returns<BrokerAccountResponse>(201).ProducesProblems(409, 422, 503);
        api.MapGet("", List)
            .WithSummary("Your linked accounts (never a secret; minVersion waits for a change)").Returns<BrokerAccountResponse[]>().ProducesProblems(503);
        api.MapGet("/{id}", Get)
            .WithSummary("One of your accounts").Returns<BrokerAccountResponse>().ProducesProblems(404, 503);
        api.MapPatch("/{id}", Update)
            .WithSummary("Rename an account or make it its venue's primary account")
            .AcceptsJson<UpdateBrokerAccountRequest>().Returns<BrokerAccountResponse>().ProducesProblems(404, 422, 503);
        api.MapDelete("/{id}", Unlink)
            .WithSummary("Unlink an account (refused, with the reason, while a subscription or an open order uses it)")
            .Returns<UnlinkedBrokerAccountResponse>().ProducesProblems(404, 409, 503);
        api.MapPost("/{id}/verify", Verify)
            .WithSummary("Check the account against its venue through your broker session (the paper venue always passes)")
            .Returns<BrokerAccountCheckResponse>().ProducesProblems(404, 503);
        return routes;
    }

    /// <summary>An account id: from the Idempotency-Key (a retried request is the same account), else random.</summary>
    public static string NewId(Guid userId, string? key)
    {
        if (key is null) return "acct-" + Guid.NewGuid().ToString("N")[..16];
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(userId.ToString("N") + ":broker-account:" + key));
        return "acct-" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static async Task<IResult> Link(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IdempotencyKeys idempotency,
        IRequiredActor<TenantRegion> tenants, VenueRegistry venues, KeyRingSource keys, IOptions<TraderApiOptions> options, AuditTrail audit, CancellationToken ct)
    {
        var (key, badKey) = IdempotencyKeys.Read(http.Request);
        if (badKey is not null) return badKey;
        var read = await bodies.ReadAsync<LinkBrokerAccountRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var c = body.Credentials;
        var fields = c is null ? null : new CredentialFields(c.ApiKey, c.Secret, c.AccountNumber, c.Passphrase);
        var offered = venues.External.Append(Venues.Paper).ToHashSet();
        var errors = BrokerAccountRules.ValidateLink(body.Venue, body.Mode, body.Label, fields, offered);
        if (errors.Count > 0) return Problems.Validation(new Dictionary<string, string[]>(errors));
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var id = NewId(userId, key);
        var venue = body.Venue!;
        var mode = BrokerAccountRules.ParseMode(body.Mode)!.Value;
        async Task<IdempotencyKeys.Outcome> Execute()
        {
            var region = await tenants.GetAsync(ct);
            object? reply;
            if (venue == Venues.Paper)
                reply = await AskOrNull(region, new LinkPaperAccount(tenant, id, options.Value.PaperStartingCash, body.Label), ct);
            else
            {
                reply = await LinkSealed(region, keys, tenant, id, venue, mode, body.Label, fields!, ct);
                if (reply is CommandRejected { Reason: TenantDecisions.CredentialKeyChanged })
                    reply = await LinkSealed(region, keys, tenant, id, venue, mode, body.Label, fields!, ct); // another link issued the key first
            }
            switch (reply)
            {
                case null: return Unavailable();
                case IdempotencyKeys.Outcome failed: return failed;
                case CommandAccepted accepted:
                    var state = await StateOfAsync(region, tenant, ct);
                    if (!state.Accounts.TryGetValue(id, out var account)) return Unavailable();
                    await audit.RecordAsync(userId, AuditKinds.BrokerAccountLinked, AuthRoutes.ClientIp(http),
                        $"{id} at {venue} ({BrokerAccountRules.Wire(account.EffectiveMode)}){(account.KeyIdHint is { } hint ? ", key " + hint : "")}", ct);
                    return new IdempotencyKeys.Outcome(StatusCodes.Status201Created, Response(account, accepted.Version), $"/api/v1/broker-accounts/{id}");
                case CommandRejected rejected:
                    return rejected.Reason.Contains("already", StringComparison.Ordinal)
                        ? Failure(StatusCodes.Status409Conflict, "broker-account-conflict", "Account conflict", rejected.Reason)
                        : Refused(rejected);
                default: throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}");
            }
        }

        return await RunAsync(http, idempotency, userId, key, body, Execute, ct);
    }

    /// <summary>
    /// Seals the credentials under the tenant's data key (issuing one, wrapped by the active master key, for its first
    /// sealed account) and links the account with only the ciphertext. A problem outcome when the key does not open.
    /// </summary>
    private static async Task<object?> LinkSealed(IActorRef region, KeyRingSource keys, string tenant, string id, string venue, AccountMode mode, string? label,
        CredentialFields fields, CancellationToken ct)
    {
        if (await AskOrNull(region, new GetCredentialKey(tenant), ct) is not CredentialKeyOf current) return null;
        DataKey dataKey;
        string? issued = null;
        try
        {
            var ring = keys.Current;
            if (current.WrappedDataKey is { } wrapped) dataKey = WrappedDataKey.Parse(wrapped).Unwrap(tenant, ring);
            else
            {
                dataKey = DataKey.Generate();
                issued = WrappedDataKey.Wrap(dataKey, tenant, ring).Encode();
            }
        }
        catch (CredentialProtectionException e)
        {
            return Failure(StatusCodes.Status503ServiceUnavailable, "credential-keys-unavailable", "Credentials cannot be sealed now", e.Message);
        }
        var credentials = new BrokerCredentials(fields.ApiKey!, fields.Secret, fields.AccountNumber!, fields.Passphrase);
        var sealedText = SealedCredentials.Seal(credentials, dataKey, tenant, id).Encode();
        return await AskOrNull(region, new LinkBrokerAccount(tenant, id, venue, "", label, mode, credentials.KeyIdHint, sealedText, issued), ct);
    }

    private static Task<IResult> List(HttpContext http, ClaimsPrincipal principal, TenantReads reads, long? minVersion, CancellationToken ct) =>
        ReadRoutes.RowsAsync(http, principal, reads, minVersion, Columns + " ORDER BY linked_at, account_id", RowOf, ct);

    private static Task<IResult> Get(HttpContext http, ClaimsPrincipal principal, TenantReads reads, string id, long? minVersion, CancellationToken ct) =>
        ReadRoutes.RowAsync(http, principal, reads, minVersion, NotFound(), Columns + " WHERE account_id = $1", RowOf, ct, id);

    private static async Task<IResult> Update(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, IRequiredActor<TenantRegion> tenants, AuditTrail audit,
        string id, CancellationToken ct)
    {
        var read = await bodies.ReadAsync<UpdateBrokerAccountRequest>(http.Request);
        if (read.Problem is not null) return read.Problem;
        var body = read.Body!;
        var errors = new Dictionary<string, string[]>();
        if (body.Label is null && body.Primary is null) errors["$"] = ["Give a label, primary = true, or both."];
        if (body.Label is not null && BrokerAccountRules.ValidateLabel(body.Label) is { } badLabel) errors["label"] = [badLabel];
        if (body.Primary == false) errors["primary"] = ["Make another account of the venue primary instead."];
        if (errors.Count > 0) return Problems.Validation(errors);
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();

        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        if (!state.Accounts.ContainsKey(id)) return NotFound();
        var commands = new List<ITenantCommand>();
        if (body.Label is { } label) commands.Add(new RenameBrokerAccount(tenant, id, label));
        if (body.Primary == true) commands.Add(new ChoosePrimaryAccount(tenant, id));
        var (stopped, version) = await SendInTurnAsync(region, commands, Refused, ct);
        if (stopped is not null) return Send(http, stopped);
        await audit.RecordAsync(userId, AuditKinds.BrokerAccountChanged, AuthRoutes.ClientIp(http),
            $"{id}{(body.Label is null ? "" : " renamed")}{(body.Primary == true ? " made primary" : "")}", ct);
        state = await StateOfAsync(region, tenant, ct);
        return state.Accounts.TryGetValue(id, out var account) ? TypedResults.Ok(Response(account, version ?? 0)) : NotFound();
    }

    private static async Task<IResult> Unlink(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, AuditTrail audit, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        if (!state.Accounts.ContainsKey(id)) return NotFound();
        var (stopped, version) = await SendInTurnAsync(region, [new UnlinkBrokerAccount(tenant, id)],
            rejected => Failure(StatusCodes.Status409Conflict, "broker-account-in-use", "Account in use", rejected.Reason), ct);
        if (stopped is not null) return Send(http, stopped);
        await audit.RecordAsync(userId, AuditKinds.BrokerAccountUnlinked, AuthRoutes.ClientIp(http), id, ct);
        return TypedResults.Ok(new UnlinkedBrokerAccountResponse(id, version!.Value));
    }

    private static async Task<IResult> Verify(HttpContext http, ClaimsPrincipal principal, IRequiredActor<TenantRegion> tenants, TradingEngineOptions engine, AuditTrail audit,
        string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant || UserId(principal) is not { } userId) return TypedResults.Unauthorized();
        var region = await tenants.GetAsync(ct);
        var state = await StateOfAsync(region, tenant, ct);
        if (!state.Accounts.ContainsKey(id)) return NotFound();
        // The check's own timeout is the venue call timeout; the tenant answers after persisting its outcome.
        switch (await AskOrNull(region, new VerifyBrokerAccount(tenant, id), ct, engine.BrokerCallTimeout + AskTimeout))
        {
            case null: return Send(http, Unavailable("Not checked yet", "The engine did not answer in time. Try the check again."));
            case BrokerAccountChecked check:
                await audit.RecordAsync(userId, AuditKinds.BrokerAccountVerified, AuthRoutes.ClientIp(http), $"{id} {(check.Passed ? "passed" : "failed")}", ct);
                return TypedResults.Ok(new BrokerAccountCheckResponse(id, check.Passed,
                    BrokerAccountRules.Wire(check.Passed ? AccountStatus.Verified : AccountStatus.Failed), check.Reason, check.Version));
            case CommandRejected rejected: return Send(http, Refused(rejected));
            case var other: throw new InvalidOperationException($"unexpected reply {other.GetType().Name}");
        }
    }

    private static IdempotencyKeys.Outcome Refused(CommandRejected rejected) =>
        Failure(StatusCodes.Status422UnprocessableEntity, "broker-account-refused", "Account refused", rejected.Reason);

    private const string Columns =
        "SELECT account_id, venue, label, mode, status, status_reason, key_id_hint, is_primary, linked_at, verified_at FROM accounts";

    private static BrokerAccountResponse RowOf(NpgsqlDataReader r)
    {
        var venue = r.GetString(1);
        var mode = r.GetString(3);
        return new(r.GetString(0), venue, r.IsDBNull(2) ? DefaultLabel(venue, mode) : r.GetString(2), mode, r.GetString(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetBoolean(7),
            r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetFieldValue<DateTimeOffset>(9));
    }

    /// <summary>As <see cref="LinkedAccount.DisplayLabel"/>: the venue and mode (the paper venue's: "Paper").</summary>
    private static string DefaultLabel(string venue, string mode) => venue == Venues.Paper ? "Paper" : $"{venue} {mode}";

    private static BrokerAccountResponse Response(LinkedAccount a, long version) =>
        new(a.AccountId, a.Venue, a.DisplayLabel, BrokerAccountRules.Wire(a.EffectiveMode), BrokerAccountRules.Wire(a.EffectiveStatus), a.StatusReason, a.KeyIdHint,
            a.IsPrimary, null, null, version);

    private static IResult NotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "broker-account-not-found", "Account not found", "No account of yours has this id.");
}
