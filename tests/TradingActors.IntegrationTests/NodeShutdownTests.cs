using System.Diagnostics;
using System.Net;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// A node asked to stop (SIGTERM) takes itself out of rotation first: /readyz answers 503 "stopping" for the drain
/// period while the node still serves, and only then does it leave the cluster and exit.
/// </summary>
public sealed class NodeShutdownTests
{
    [Fact]
    public async Task SIGTERM_turns_readiness_false_for_the_drain_while_the_node_still_answers_then_the_node_exits()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var node = NodeProcess.Start(nameof(NodeShutdownTests), db.ConnectionString, null,
            new Dictionary<string, string> { ["ShutdownDrain"] = "00:00:03", ["Demo:Tenants"] = "0" });
        await Eventually.TrueAsync(async () => await node.Get("/readyz") == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the node ready");

        node.Terminate();
        var stopping = Stopwatch.StartNew();
        var answers = new List<(TimeSpan At, HttpStatusCode? Status, string? Body)>();
        while (!node.HasExited && stopping.Elapsed < TimeSpan.FromSeconds(30))
        {
            var (status, body) = await node.Read("/readyz");
            answers.Add((stopping.Elapsed, status, body));
            await Task.Delay(100);
        }

        // Out of rotation at once (the first answer may precede the signal's delivery), for about the drain, never ready
        // again; the process is gone well within the grace.
        var unready = answers.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(unready);
        Assert.True(unready[0].At < TimeSpan.FromSeconds(1.5), $"first 503 after {unready[0].At}");
        Assert.True(unready[^1].At - unready[0].At >= TimeSpan.FromSeconds(2), $"503 for {unready[^1].At - unready[0].At} only");
        Assert.DoesNotContain(answers.SkipWhile(a => a.Status != HttpStatusCode.ServiceUnavailable), a => a.Status == HttpStatusCode.OK);
        // Readiness turned false before the node left: through the drain it is still an Up member.
        Assert.All(unready.Where(a => a.At - unready[0].At < TimeSpan.FromSeconds(2)), a => Assert.Contains("\"member\":\"Up\"", a.Body));
        Assert.All(unready, a => Assert.Contains("\"status\":\"stopping\"", a.Body));
        Assert.True(await node.ExitedWithin(TimeSpan.FromSeconds(30)), "the node exited after leaving");
    }
}
