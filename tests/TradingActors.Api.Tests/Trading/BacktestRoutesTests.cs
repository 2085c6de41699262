using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingActors.Api.Trading;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Backtesting;
using TradingActors.Engine.Backtests;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Backtest jobs through the API (decision 029): created whole or not at all, run by the cluster, polled to completion,
/// their documents served; a sweep's ranked table; another user's job is 404; a running job is cancelled; a user with
/// the most jobs running is refused.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BacktestRoutesTests(ApiFixture api)
{
    private const string Path = "/api/v1/backtests";

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null) => api.Send(s, method, path, body);

    private async Task<string> Text(SignedInTrader s, string path, string mediaType)
    {
        var response = await Send(s, HttpMethod.Get, path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<JsonElement> Until(SignedInTrader s, string location, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var job = await Json(await Send(s, HttpMethod.Get, location));
            var now = job.GetProperty("status").GetString();
            if (now == status) return job;
            Assert.True(now is "queued" or "running", $"the job is {now}, not {status}: {job}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the job is still {now}: {job}");
            await Task.Delay(100);
        }
    }

    private async Task<long> JobsOf(string tenant)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM backtest_jobs WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_datasets_are_the_shipped_bars_files()
    {
        var trader = await api.SignIn("bt-datasets");
        var datasets = (await Json(await Send(trader, HttpMethod.Get, Path + "/datasets"))).EnumerateArray().ToList();
        var btc = Assert.Single(datasets, d => d.GetProperty("name").GetString() == "BTCUSDT-1m.csv");
        Assert.Equal("BTCUSDT", btc.GetProperty("symbol").GetString());
        Assert.Contains(datasets, d => d.GetProperty("name").GetString() == "ETHUSDT-1h.csv");
    }

    [Fact]
    public async Task A_backtest_runs_to_completion_and_serves_the_report_a_local_run_writes_its_csvs_and_its_chart()
    {
        var trader = await api.SignIn("bt-report");
        var created = await Send(trader, HttpMethod.Post, Path, new { strategy = "rsi", parameters = new { period = 10 }, dataset = "BTCUSDT-1m.csv" });
        var job = await Json(created, HttpStatusCode.Accepted);
        var location = created.Headers.Location!.ToString();
        Assert.Equal($"{Path}/{job.GetProperty("id").GetString()}", location);
        Assert.Equal("queued", job.GetProperty("status").GetString());
        Assert.Equal("backtest", job.GetProperty("kind").GetString());

        var done = await Until(trader, location, "completed");
        Assert.Equal(1, done.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal(location + "/report", done.GetProperty("links").GetProperty("report").GetString());

        var report = await Text(trader, location + "/report", "application/json");
        var local = Backtester.Run(new BacktestRequest
        {
            Strategy = "rsi",
            Parameters = """{"period":10}""",
            Symbols = [new BacktestSymbol("BTCUSDT", CandleCsv.Read(File.OpenRead(System.IO.Path.Combine(api.BacktestData, "BTCUSDT-1m.csv"))))],
            Settings = new BacktestVenueSettings().ToSettings(record: true),
        });
        var localJson = new StringWriter(CultureInfo.InvariantCulture);
        ReportWriter.WriteJson(local, localJson);
        Assert.Equal(localJson.ToString(), report);
        Assert.StartsWith(ReportWriter.EquityCsvHeader + "\n", await Text(trader, location + "/equity.csv", "text/csv"));
        Assert.StartsWith(ReportWriter.TradesCsvHeader + "\n", await Text(trader, location + "/trades.csv", "text/csv"));
        Assert.StartsWith("<svg", await Text(trader, location + "/chart.svg", "image/svg+xml"));
        // A backtest has no ranked table.
        var results = await Send(trader, HttpMethod.Get, location + "/results");
        Assert.Equal(HttpStatusCode.NotFound, results.StatusCode);
        Assert.Equal("application/problem+json", results.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_sweep_ranks_every_point_and_serves_its_table_as_json_and_csv()
    {
        var trader = await api.SignIn("bt-sweep");
        var created = await Send(trader, HttpMethod.Post, Path, new
        {
            strategy = "rsi",
            dataset = "BTCUSDT-1m.csv",
            settings = new { initialCash = 5_000, takerFeeRate = 0.0005 },
            sweep = new Dictionary<string, double[]> { ["period"] = [7, 14, 21], ["oversold"] = [25, 30] },
            rankBy = "total-return",
        });
        var job = await Json(created, HttpStatusCode.Accepted);
        Assert.Equal("sweep", job.GetProperty("kind").GetString());
        Assert.Equal(6, job.GetProperty("progress").GetProperty("total").GetInt32());
        var location = created.Headers.Location!.ToString();
        var done = await Until(trader, location, "completed");
        Assert.Equal(6, done.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal("total-return", done.GetProperty("rankBy").GetString());
        Assert.Equal(6, done.GetProperty("runsByNode").EnumerateObject().Sum(n => n.Value.GetInt32()));

        var table = JsonDocument.Parse(await Text(trader, location + "/results", "application/json")).RootElement;
        Assert.Equal("total-return", table.GetProperty("metric").GetString());
        var rows = table.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], rows.Select(r => r.GetProperty("rank").GetInt32()));
        Assert.Equal([0, 1, 2, 3, 4, 5], rows.Select(r => r.GetProperty("point").GetInt32()).Order());
        var returns = rows.Select(r => r.GetProperty("totalReturnPct").GetDouble()).ToList();
        Assert.Equal(returns.OrderDescending(), returns);
        var csv = await Text(trader, location + "/results.csv", "text/csv");
        Assert.StartsWith("rank,point,period,oversold,overbought,score,", csv);
        Assert.Equal(7, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(trader, HttpMethod.Get, location + "/report")).StatusCode);

        // The node's share of the work is in its scrape.
        var metrics = await api.Client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("tradingactors_backtest_runs_total{", StringComparison.Ordinal) && line.Contains("outcome=\"completed\""));
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("tradingactors_backtest_run_seconds_count", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inline_bars_are_backtested_like_a_dataset()
    {
        var trader = await api.SignIn("bt-inline");
        var lines = File.ReadLines(System.IO.Path.Combine(api.BacktestData, "BTCUSDT-1m.csv")).Take(301);
        var created = await Send(trader, HttpMethod.Post, Path, new
        {
            strategy = "ema-cross",
            parameters = new { fast = 5, slow = 20 },
            bars = new { symbol = "btcusdt", csv = string.Join('\n', lines) + "\n" },
        });
        var job = await Json(created, HttpStatusCode.Accepted);
        Assert.StartsWith("inline:", job.GetProperty("dataset").GetString());
        await Until(trader, created.Headers.Location!.ToString(), "completed");
        var report = JsonDocument.Parse(await Text(trader, created.Headers.Location + "/report", "application/json")).RootElement;
        var symbol = Assert.Single(report.GetProperty("symbols").EnumerateArray().ToList());
        Assert.Equal("BTCUSDT", symbol.GetProperty("symbol").GetString());
        Assert.Equal(300, symbol.GetProperty("bars").GetInt32());
    }

    public static TheoryData<string, string> BadBodies() => new()
    {
        { """{"strategy":"nope","dataset":"BTCUSDT-1m.csv"}""", "strategy" },
        { """{"strategy":"rsi","parameters":{"period":1},"dataset":"BTCUSDT-1m.csv"}""", "parameters.period" },
        { """{"strategy":"rsi","parameters":{"oversold":80,"overbought":70},"dataset":"BTCUSDT-1m.csv"}""", "parameters.oversold" },
        { """{"strategy":"rsi","parameters":{"speed":3},"dataset":"BTCUSDT-1m.csv"}""", "parameters.speed" },
        { """{"strategy":"rsi","dataset":"NOPE-1m.csv"}""", "dataset" },
        { """{"strategy":"rsi","dataset":"../../etc/passwd"}""", "dataset" },
        { """{"strategy":"rsi"}""", "dataset" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","sweep":{"period":[2,3,4,5,6,7,8,9,10,11,12],"oversold":[10,11,12,13,14,15,16,17,18,19,20],"overbought":[70,71,72,73,74,75,76,77,78,79]}}""", "sweep" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","sweep":{"speed":[1,2]}}""", "sweep.speed" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","sweep":{"period":["x"]}}""", "sweep.period" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","sweep":{"oversold":[80,90]}}""", "sweep" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","sweep":{"period":[7]},"rankBy":"luck"}""", "rankBy" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","settings":{"takerFeeRate":0.5}}""", "settings.takerFeeRate" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","settings":{"initialCash":-1}}""", "settings.initialCash" },
        { """{"strategy":"rsi","dataset":"BTCUSDT-1m.csv","colour":"red"}""", "colour" },
        { """{"strategy":"rsi","bars":{"symbol":"X","csv":"time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,0.5,1,1,1\n"}}""", "bars.csv" },
        { """{"strategy":"rsi","bars":{"symbol":"X","csv":"time,open,high,low,close,volume\n2024-01-01T00:01:00Z,1,1,1,1,1\n2024-01-01T00:00:00Z,1,1,1,1,1\n"}}""", "bars.csv" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_refused_naming_the_field_and_creates_nothing(string body, string field)
    {
        var trader = await api.SignIn("bt-bad");
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", trader.Token);
        var response = await api.Client.SendAsync(request);
        var problem = await Json(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"no error for {field}: {problem}");
        Assert.NotEmpty(messages.EnumerateArray());
        Assert.Equal(0, await JobsOf(trader.TenantId));
    }

    [Fact]
    public async Task Another_users_job_is_not_found_and_cannot_be_cancelled()
    {
        var owner = await api.SignIn("bt-owner");
        var other = await api.SignIn("bt-other");
        var created = await Send(owner, HttpMethod.Post, Path, new { strategy = "rsi", dataset = "BTCUSDT-1m.csv" });
        var location = created.Headers.Location!.ToString();
        await Until(owner, location, "completed");
        foreach (var path in new[] { location, location + "/report", location + "/equity.csv", location + "/chart.svg" })
            Assert.Equal(HttpStatusCode.NotFound, (await Send(other, HttpMethod.Get, path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(other, HttpMethod.Delete, location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(other, HttpMethod.Get, Path + "/" + Guid.NewGuid().ToString("N"))).StatusCode);
        // Lists: each user sees their own jobs only.
        Assert.Empty((await Json(await Send(other, HttpMethod.Get, Path))).EnumerateArray());
        var mine = (await Json(await Send(owner, HttpMethod.Get, Path))).EnumerateArray().ToList();
        Assert.Equal(location, Assert.Single(mine).GetProperty("links").GetProperty("self").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(owner, HttpMethod.Get, Path + "?limit=0")).StatusCode);

        // The second wall: the reader role with a tenant set sees that tenant's rows, whatever the query forgets.
        var reads = api.Factory.Services.GetRequiredService<TenantReads>();
        var seen = await reads.ReadAsync(other.TenantId, async (connection, tx) =>
        {
            await using var jobs = new NpgsqlCommand("SELECT (SELECT count(*) FROM backtest_jobs) + (SELECT count(*) FROM backtest_outputs)", connection, tx);
            return (long)(await jobs.ExecuteScalarAsync())!;
        }, CancellationToken.None);
        Assert.Equal(0, seen);
        var owned = await reads.ReadAsync(owner.TenantId, async (connection, tx) =>
        {
            await using var jobs = new NpgsqlCommand("SELECT count(*) FROM backtest_outputs", connection, tx);
            return (long)(await jobs.ExecuteScalarAsync())!;
        }, CancellationToken.None);
        Assert.Equal(4, owned);
        // Still the owner's, untouched: an ended job is not cancelled.
        Assert.Equal("completed", (await Json(await Send(owner, HttpMethod.Get, location))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await Send(owner, HttpMethod.Delete, location)).StatusCode);
    }

    [Fact]
    public async Task A_running_sweep_is_cancelled_stays_cancelled_and_has_no_results()
    {
        WriteWalk(System.IO.Path.Combine(api.BacktestData, "WALK-1m.csv"), 200_000);
        var trader = await api.SignIn("bt-cancel");
        var created = await Send(trader, HttpMethod.Post, Path, new
        {
            strategy = "rsi",
            dataset = "WALK-1m.csv",
            sweep = new Dictionary<string, double[]> { ["period"] = Enumerable.Range(5, 50).Select(p => (double)p).ToArray(), ["oversold"] = [20, 25, 30, 35] },
        });
        var location = created.Headers.Location!.ToString();
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var cancelled = await Json(await Send(trader, HttpMethod.Delete, location));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled by the user", cancelled.GetProperty("error").GetString());

        var results = await Send(trader, HttpMethod.Get, location + "/results");
        Assert.Equal(HttpStatusCode.Conflict, results.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(trader, HttpMethod.Delete, location)).StatusCode);
        // The coordinator stops: nothing completes it later, and the node's runners are free again for the next job.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await Json(await Send(trader, HttpMethod.Get, location));
        Assert.Equal("cancelled", after.GetProperty("status").GetString());
        Assert.True(after.GetProperty("progress").GetProperty("done").GetInt32() < 200);
        var next = await Send(trader, HttpMethod.Post, Path, new { strategy = "rsi", dataset = "BTCUSDT-1m.csv" });
        await Until(trader, next.Headers.Location!.ToString(), "completed", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_user_with_the_most_jobs_running_is_refused_and_nothing_is_created()
    {
        var trader = await api.SignIn("bt-cap");
        // Two jobs of this user running on this node (rows as a coordinator keeps them): the default cap is two.
        var owner = BacktestDesk.OwnerOf(Cluster.Get(api.Engine.System).SelfUniqueAddress);
        await using (var connection = new NpgsqlConnection(api.Database.ConnectionString))
        {
            await connection.OpenAsync();
            for (var i = 0; i < 2; i++)
            {
                await using var insert = new NpgsqlCommand("""
                    INSERT INTO backtest_jobs (id, tenant_id, kind, status, spec, points_total, owner_node, created_at, heartbeat_at)
                    VALUES ($1, $2, 'backtest', 'running', '{}', 1, $3, now(), now())
                    """, connection);
                insert.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid().ToString("N") });
                insert.Parameters.Add(new NpgsqlParameter { Value = trader.TenantId });
                insert.Parameters.Add(new NpgsqlParameter { Value = owner });
                await insert.ExecuteNonQueryAsync();
            }
        }
        var refused = await Send(trader, HttpMethod.Post, Path, new { strategy = "rsi", dataset = "BTCUSDT-1m.csv" });
        var problem = await Json(refused, HttpStatusCode.Conflict);
        Assert.EndsWith("/too-many-backtests", problem.GetProperty("type").GetString());
        Assert.Equal(2, await JobsOf(trader.TenantId));
        // Another user is not held back by it.
        var other = await api.SignIn("bt-cap-other");
        Assert.Equal(HttpStatusCode.Accepted, (await Send(other, HttpMethod.Post, Path, new { strategy = "rsi", dataset = "BTCUSDT-1m.csv" })).StatusCode);
    }

    /// <summary>A deterministic one-minute random walk, long enough that a sweep over it takes seconds.</summary>
    private static void WriteWalk(string path, int bars)
    {
        if (File.Exists(path)) return;
        var random = new Random(5);
        var text = new StringBuilder(bars * 72).Append(CandleCsv.Header).Append('\n');
        var price = 100.0;
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < bars; i++)
        {
            var close = price * (1 + (random.NextDouble() - 0.5) * 0.004);
            var high = Math.Max(price, close) * (1 + random.NextDouble() * 0.001);
            var low = Math.Min(price, close) * (1 - random.NextDouble() * 0.001);
            text.Append(CultureInfo.InvariantCulture, $"{start.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'},{price:F6},{high:F6},{low:F6},{close:F6},1.0000\n");
            price = close;
        }
        File.WriteAllText(path + ".tmp", text.ToString());
        File.Move(path + ".tmp", path);
    }
}
