using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Engine.Backtests;
using TradingActors.Engine.Hosting;

namespace TradingActors.Api.Trading;

/// <summary>
/// POST /api/v1/backtests: a backtest of a strategy kind over a dataset (a file every node has, <c>dataset</c>) or over bars
/// sent inline (<c>bars.csv</c>, CSV with the header time,open,high,low,close,volume). With <c>sweep</c> (parameter name →
/// values, e.g. {"period":[7,14,21]}) it is a parameter sweep: every point of the grid is run (metrics only) and ranked by
/// <c>rankBy</c> (sharpe by default). Omitted parameters and settings take their defaults.
/// </summary>
public sealed record CreateBacktestRequest(string? Strategy, JsonElement? Parameters, string? Dataset, InlineBarsRequest? Bars, string? Symbol,
    BacktestSettingsRequest? Settings, JsonElement? Sweep, string? RankBy);

/// <summary>Bars in the request: their symbol and the CSV text (size-limited).</summary>
public sealed record InlineBarsRequest(string? Symbol, string? Csv);

/// <summary>The simulated venue: starting cash, fee rates and slippage, the share of cash a buy signal spends, and a perpetual's funding.</summary>
public sealed record BacktestSettingsRequest(double? InitialCash, double? TakerFeeRate, double? MakerFeeRate, double? SlippageBps, double? SignalBudget,
    double? FundingRate, double? FundingIntervalHours);

/// <summary>Runs done of the job's total (a backtest has one, a sweep one per valid point of its grid).</summary>
public sealed record BacktestProgressResponse(int Done, int Total, double Fraction);

/// <summary>
/// A backtest job: Status is queued, running, completed, failed (Error says why) or cancelled. Links name its documents
/// once it has completed: report, equity.csv, trades.csv and chart.svg for a backtest; results and results.csv for a sweep.
/// RunsByNode (once completed): how many of its points each cluster node ran.
/// </summary>
public sealed record BacktestJobResponse(string Id, string Kind, string Status, BacktestProgressResponse Progress, string? Error, string Strategy,
    string Dataset, string Symbol, string? RankBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    IReadOnlyDictionary<string, string> Links, IReadOnlyDictionary<string, int>? RunsByNode = null);

/// <summary>A dataset jobs can name: its file name, the symbol of its bars, its size.</summary>
public sealed record BacktestDatasetResponse(string Name, string Symbol, long Bytes);

/// <summary>
/// Backtest jobs (decision 029). A job is checked whole before anything is stored (400 naming each field), stored under the
/// caller's tenant with a per-user cap on jobs queued or running (409), and run by the cluster's engine nodes on their
/// backtest dispatcher, never on the threads that trade. Its row and its documents live in PostgreSQL and are read under
/// row level security: another user's job is 404. A running job is cancelled with DELETE.
/// </summary>
public static class BacktestRoutes
{
    public static IEndpointRouteBuilder MapBacktestRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/backtests").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit)
            .WithTags("backtests");
        api.MapGet("/datasets", Datasets).WithSummary("The datasets a backtest can name (the nodes' data/bars files)").Returns<BacktestDatasetResponse[]>();
        api.MapPost("", Create)
            .WithSummary("Start a backtest, or a parameter sweep with \"sweep\"; answered 202 with the job (poll its Location)")
            .AcceptsJson<CreateBacktestRequest>().Returns<BacktestJobResponse>(StatusCodes.Status202Accepted).ProducesProblems(409, 503);
        api.MapGet("", List).WithSummary("Your backtest jobs, newest first (limit 1–200, default 50)").Returns<BacktestJobResponse[]>().ProducesProblems(400);
        api.MapGet("/{id}", Get).WithSummary("A backtest job: its status and progress").Returns<BacktestJobResponse>().ProducesProblems(404);
        api.MapDelete("/{id}", Cancel).WithSummary("Cancel a queued or running backtest job").Returns<BacktestJobResponse>().ProducesProblems(404, 409);
        Document(api, "/{id}/report", BacktestOutputs.Report, "application/json", "A completed backtest's report (settings, metrics, orders, trades, round trips)");
        Document(api, "/{id}/equity.csv", BacktestOutputs.Equity, "text/csv", "A completed backtest's equity curve (CSV)");
        Document(api, "/{id}/trades.csv", BacktestOutputs.Trades, "text/csv", "A completed backtest's trades (CSV)");
        Document(api, "/{id}/chart.svg", BacktestOutputs.Chart, "image/svg+xml", "A completed backtest's equity and drawdown chart (SVG)");
        Document(api, "/{id}/results", BacktestOutputs.Results, "application/json", "A completed sweep's ranked table (best first) and its skipped points");
        Document(api, "/{id}/results.csv", BacktestOutputs.ResultsCsv, "text/csv", "A completed sweep's ranked table (CSV)");
        return routes;
    }

    private static void Document(RouteGroupBuilder api, string pattern, string name, string contentType, string summary)
    {
        var route = api.MapGet(pattern, (ClaimsPrincipal principal, TenantReads reads, string id, CancellationToken ct) =>
                ReadDocument(principal, reads, id, name, contentType, ct))
            .WithSummary(summary).ProducesProblems(404, 409);
        if (contentType == "application/json") route.Produces<JsonElement>(StatusCodes.Status200OK, contentType);
        else route.Produces<string>(StatusCodes.Status200OK, contentType);
    }

    private static IResult Datasets(BacktestJobs jobs) =>
        TypedResults.Ok(jobs.Datasets.List().Select(d => new BacktestDatasetResponse(d.Name, d.Symbol, d.Bytes)).ToArray());

    private static async Task<IResult> Create(HttpContext http, ClaimsPrincipal principal, RequestBodies bodies, BacktestJobs jobs, ActorSystem system,
        IRequiredActor<BacktestDeskKey> desk, CancellationToken ct)
    {
        var limit = jobs.Options.MaxInlineBarsBytes;
        var read = await bodies.ReadAsync<CreateBacktestRequest>(http.Request, maxBytes: limit + limit / 8 + 64 * 1024);
        if (read.Problem is not null) return read.Problem;
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var body = read.Body!;

        var errors = new Dictionary<string, List<string>>();
        void Error(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }
        if (string.IsNullOrWhiteSpace(body.Strategy)) Error("strategy", "Required: a strategy kind (rsi, ema-cross, dca, grid).");
        if (body.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) Error("parameters", "Must be a JSON object of names and values.");
        if ((body.Dataset is null) == (body.Bars is null)) Error("dataset", "Give either a dataset (GET /api/v1/backtests/datasets) or inline bars.");
        byte[]? csv = null;
        if (body.Bars is { } bars)
        {
            if (string.IsNullOrEmpty(bars.Csv)) Error("bars.csv", "Required: CSV with the header " + Backtesting.CandleCsv.Header + ".");
            else if (Encoding.UTF8.GetByteCount(bars.Csv) > limit) Error("bars.csv", $"At most {limit} bytes of CSV; use a dataset for more.");
            else csv = Encoding.UTF8.GetBytes(bars.Csv);
            if (string.IsNullOrWhiteSpace(bars.Symbol ?? body.Symbol)) Error("bars.symbol", "Required: the symbol the bars are for.");
        }
        var axes = new List<SweepAxis>();
        if (body.Sweep is { ValueKind: JsonValueKind.Object } sweep)
        {
            foreach (var axis in sweep.EnumerateObject())
            {
                if (axis.Value.ValueKind != JsonValueKind.Array || axis.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                    Error("sweep." + axis.Name, "Must be an array of numbers.");
                else axes.Add(new SweepAxis(axis.Name, axis.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray()));
            }
            if (axes.Count == 0 && !errors.Keys.Any(k => k.StartsWith("sweep", StringComparison.Ordinal))) Error("sweep", "Name at least one parameter and its values.");
        }
        else if (body.Sweep is { ValueKind: not JsonValueKind.Null }) Error("sweep", "Must be an object: parameter name → array of values.");
        if (body.RankBy is not null && axes.Count == 0 && body.Sweep is null) Error("rankBy", "Only a sweep is ranked.");
        if (errors.Count > 0) return Problems.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

        var dataset = csv is not null ? BacktestDataset.OfInline(BacktestDatasets.HashOf(csv)) : BacktestDataset.OfFile(body.Dataset!);
        var symbol = (body.Bars?.Symbol ?? body.Symbol ?? BacktestDatasets.SymbolOf(body.Dataset!)).Trim().ToUpperInvariant();
        var s = body.Settings;
        var defaults = new BacktestVenueSettings();
        var settings = new BacktestVenueSettings(s?.InitialCash ?? defaults.InitialCash, s?.TakerFeeRate ?? defaults.TakerFeeRate, s?.MakerFeeRate ?? defaults.MakerFeeRate,
            s?.SlippageBps ?? defaults.SlippageBps, s?.SignalBudget ?? defaults.SignalBudget, s?.FundingRate, s?.FundingIntervalHours ?? defaults.FundingIntervalHours);
        var spec = new BacktestJobSpec(BacktestJobs.NewId(), tenant, body.Strategy!.Trim(),
            body.Parameters is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : "{}", dataset, symbol, settings,
            axes.Count > 0 ? axes : null, body.RankBy ?? Backtesting.SweepRanking.Name(Backtesting.RankMetric.Sharpe));

        switch (await jobs.SubmitAsync(system, await desk.GetAsync(ct), spec, csv, ct))
        {
            case BacktestSubmission.Invalid invalid:
                return Problems.Validation(invalid.Problems.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
            case BacktestSubmission.TooManyJobs many:
                return Problems.Status(StatusCodes.Status409Conflict, "too-many-backtests", "Too many backtests",
                    $"You have {many.Active} backtest jobs queued or running, the most at once ({many.Max}); wait for one to end or cancel one.");
            case BacktestSubmission.Accepted accepted:
                var location = $"/api/v1/backtests/{accepted.JobId}";
                return TypedResults.Accepted(location, new BacktestJobResponse(accepted.JobId, spec.IsSweep ? "sweep" : "backtest", BacktestJobStatus.Queued,
                    new BacktestProgressResponse(0, accepted.Points, 0), null, spec.Strategy, DatasetName(spec.Dataset), spec.Symbol,
                    spec.IsSweep ? spec.RankBy : null, DateTimeOffset.UtcNow, null, null, new Dictionary<string, string> { ["self"] = location }));
            case var other:
                throw new InvalidOperationException($"unexpected submission outcome {other}");
        }
    }

    private static async Task<IResult> List(ClaimsPrincipal principal, TenantReads reads, int? limit, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (limit is < 1 or > 200) return Problems.Validation(new Dictionary<string, string[]> { ["limit"] = ["The limit is between 1 and 200."] });
        var jobs = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            // No tenant in the WHERE: row level security leaves only the caller's jobs.
            var ids = new List<string>();
            await using (var command = new NpgsqlCommand("SELECT id FROM backtest_jobs ORDER BY created_at DESC, id LIMIT $1", connection, tx))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = limit ?? 50 });
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
            }
            var rows = new List<BacktestJobResponse>();
            foreach (var id in ids)
                if (await JobRow(connection, tx, id, ct) is { } row) rows.Add(row);
            return rows;
        }, ct);
        return TypedResults.Ok(jobs.ToArray());
    }

    private static async Task<IResult> Get(ClaimsPrincipal principal, TenantReads reads, string id, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        return await ReadJob(reads, tenant, id, ct) is { } job ? TypedResults.Ok(job) : NotFound();
    }

    private static async Task<IResult> Cancel(ClaimsPrincipal principal, TenantReads reads, BacktestJobs jobs, IRequiredActor<BacktestDeskKey> desk, string id,
        CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (!IsJobId(id)) return NotFound();
        var (status, cancelled) = await jobs.CancelAsync(await desk.GetAsync(ct), id, tenant, ct);
        if (status is null) return NotFound();
        if (!cancelled)
            return Problems.Status(StatusCodes.Status409Conflict, "backtest-ended", "Backtest already ended", $"The job has already ended ({status}).");
        return await ReadJob(reads, tenant, id, ct) is { } job ? TypedResults.Ok(job) : NotFound();
    }

    private static async Task<IResult> ReadDocument(ClaimsPrincipal principal, TenantReads reads, string id, string name, string contentType, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (!IsJobId(id)) return NotFound();
        var (job, content) = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            var row = await JobRow(connection, tx, id, ct);
            if (row is null) return (null, null);
            await using var command = new NpgsqlCommand("SELECT content FROM backtest_outputs WHERE job_id = $1 AND name = $2", connection, tx);
            command.Parameters.Add(new NpgsqlParameter { Value = id });
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            return (row, await command.ExecuteScalarAsync(ct) as string);
        }, ct);
        if (job is null) return NotFound();
        var sweepDocument = name is BacktestOutputs.Results or BacktestOutputs.ResultsCsv;
        if ((job.Kind == "sweep") != sweepDocument)
            return Problems.Status(StatusCodes.Status404NotFound, "no-such-document", "No such document",
                job.Kind == "sweep" ? "A sweep has a ranked table (/results, /results.csv), not a report." : "A backtest has a report, not a sweep's table.");
        if (content is null)
            return job.Status == BacktestJobStatus.Completed
                ? NotFound()
                : Problems.Status(StatusCodes.Status409Conflict, "backtest-not-completed", "Not completed",
                    $"The job is {job.Status}{(job.Error is null ? "" : $" ({job.Error})")}; its documents exist once it has completed.");
        return Results.Text(content, contentType + (contentType.StartsWith("text/", StringComparison.Ordinal) ? "; charset=utf-8" : ""), Encoding.UTF8);
    }

    private static Task<BacktestJobResponse?> ReadJob(TenantReads reads, string tenant, string id, CancellationToken ct) =>
        IsJobId(id) ? reads.ReadAsync(tenant, (connection, tx) => JobRow(connection, tx, id, ct), ct) : Task.FromResult<BacktestJobResponse?>(null);

    private static async Task<BacktestJobResponse?> JobRow(NpgsqlConnection connection, NpgsqlTransaction tx, string id, CancellationToken ct)
    {
        // Row level security limits this to the caller's tenant: another user's job is simply not there.
        await using var command = new NpgsqlCommand("""
            SELECT kind, status, spec::text, points_total, points_done, error, created_at, started_at, finished_at, runs_by_node::text
            FROM backtest_jobs WHERE id = $1
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var (kind, status) = (reader.GetString(0), reader.GetString(1));
        var spec = JsonSerializer.Deserialize<BacktestJobSpec>(reader.GetString(2), BacktestJson.Options)!;
        var (total, done) = (reader.GetInt32(3), reader.GetInt32(4));
        var self = $"/api/v1/backtests/{id}";
        var links = new Dictionary<string, string> { ["self"] = self };
        if (status == BacktestJobStatus.Completed)
        {
            if (kind == "sweep")
            {
                links["results"] = self + "/results";
                links["results.csv"] = self + "/results.csv";
            }
            else
            {
                links["report"] = self + "/report";
                links["equity.csv"] = self + "/equity.csv";
                links["trades.csv"] = self + "/trades.csv";
                links["chart.svg"] = self + "/chart.svg";
            }
        }
        return new BacktestJobResponse(id, kind, status, new BacktestProgressResponse(done, total, total == 0 ? 0 : Math.Round((double)done / total, 4)),
            reader.IsDBNull(5) ? null : reader.GetString(5), spec.Strategy, DatasetName(spec.Dataset), spec.Symbol, kind == "sweep" ? spec.RankBy : null,
            reader.GetFieldValue<DateTimeOffset>(6), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), links,
            reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(reader.GetString(9)));
    }

    private static string DatasetName(BacktestDataset dataset) => dataset.IsInline ? "inline:" + dataset.Hash : dataset.Name;

    // Job ids are 32 hex digits (BacktestJobs.NewId): anything else is no job, without a query.
    private static bool IsJobId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static IResult NotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "backtest-not-found", "Backtest not found", "No backtest job of yours has this id.");
}
