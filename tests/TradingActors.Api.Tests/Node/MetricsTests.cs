using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Tests.Infrastructure;
using TradingActors.Brokers.Paper;

namespace TradingActors.Api.Tests.Node;

/// <summary>The node's Prometheus scrape: the engine's counters, histograms and gauges move with what it does, and hold no tenant's data.</summary>
[Collection(ApiCollection.Name)]
public sealed partial class MetricsTests(ApiFixture api)
{
    [GeneratedRegex("""^(?<name>[a-z_:]+)(\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN|\+Inf)""", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Value(string scrape, string name, params string[] labels) =>
        Sample().Matches(scrape)
            .Where(m => m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains(l, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    private async Task<string> Scrape()
    {
        using var response = await api.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // no token: a scraper has none
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_trade_moves_the_order_counters_and_histograms_and_the_scrape_names_no_tenant()
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", 50_000m);
        var s = await api.SignIn("metrics");
        var before = await Scrape();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders")
        {
            Content = JsonContent.Create(new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        Assert.Equal(HttpStatusCode.Created, (await api.Client.SendAsync(request)).StatusCode);

        // The exporter caches a scrape briefly; the gauges are observed every few seconds.
        var after = await Scrape();
        for (var deadline = DateTime.UtcNow.AddSeconds(20);
             !(Value(after, "tradingactors_orders_total", "status=\"filled\"") > Value(before, "tradingactors_orders_total", "status=\"filled\"")
               && Value(after, "tradingactors_entities", "region=\"tenants\"") >= 1);)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fill and the resident tenant never showed in the scrape:\n" + after);
            await Task.Delay(250);
            after = await Scrape();
        }

        Assert.True(Value(after, "tradingactors_order_latency_seconds_count") > Value(before, "tradingactors_order_latency_seconds_count"));
        Assert.True(Value(after, "tradingactors_journal_write_seconds_count") > Value(before, "tradingactors_journal_write_seconds_count"));
        Assert.True(Value(after, "tradingactors_recoveries_total", "kind=\"tenant\"") >= 1);
        Assert.True(Value(after, "tradingactors_cluster_members", "status=\"up\"") >= 1);
        Assert.True(Value(after, "tradingactors_shards", "region=\"tenants\"") >= 1);

        Assert.DoesNotContain(s.TenantId, after);
        Assert.DoesNotContain(s.Trader.Email, after);
    }
}
