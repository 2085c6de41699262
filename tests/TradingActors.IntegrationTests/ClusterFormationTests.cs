using System.Net;
using System.Text.Json;
using Npgsql;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Joining without a fixed seed (decision 016): node processes with Trading:Cluster:Discovery = postgres find the
/// members in cluster_nodes and join through them, or form the cluster when there is none. The first node starts
/// alone and two join it; after it is killed (-9, its row still fresh) a new node joins the survivors; a node that
/// stops gracefully takes its row with it.
/// </summary>
public sealed class ClusterFormationTests
{
    [Fact]
    public async Task Any_node_can_start_first_and_a_new_node_still_joins_after_the_first_is_killed()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var first = Start(db, "formation-1");
        await EnginesUp(first, 1);
        await using var second = Start(db, "formation-2");
        await using var third = Start(db, "formation-3");
        await EnginesUp(second, 3);
        await EnginesUp(third, 3);
        Assert.Equal(new[] { first.AkkaAddress, second.AkkaAddress, third.AkkaAddress }.Order(), (await Rows(db)).Order());

        // Three members, so the two survivors keep the majority (keep-majority downs a lone survivor of two on a tie).
        first.KillHard();
        await using var fourth = Start(db, "formation-4");
        // The survivors down the killed node and the new node joins them, its row for the killed one still fresh.
        await EnginesUp(fourth, 3, TimeSpan.FromSeconds(60));
        await EnginesUp(second, 3);

        second.Terminate();
        Assert.True(await second.ExitedWithin(TimeSpan.FromSeconds(30)), "the second node stopped");
        await Eventually.TrueAsync(async () => !(await Rows(db)).Contains(second.AkkaAddress), TimeSpan.FromSeconds(10),
            "the stopped node's row removed");
        Assert.Contains(fourth.AkkaAddress, await Rows(db));
        await EnginesUp(fourth, 2);
    }

    private static NodeProcess Start(TestDatabase db, string name) =>
        NodeProcess.Start(name, db.ConnectionString, seed: "", new Dictionary<string, string>
        {
            ["Cluster:Discovery"] = "postgres",
            ["Cluster:JoinRetry"] = "00:00:01",
            ["Cluster:DiscoveryHeartbeat"] = "00:00:00.500",
            ["Cluster:DiscoveryStaleAfter"] = "00:00:05",
            ["Demo:Tenants"] = "0",
        });

    /// <summary>Waits until the node is ready and counts <paramref name="expected"/> Up engine members.</summary>
    private static Task EnginesUp(NodeProcess node, int expected, TimeSpan? within = null) =>
        Eventually.TrueAsync(async () =>
        {
            var (status, body) = await node.Read("/readyz");
            return status == HttpStatusCode.OK && body is not null
                && JsonDocument.Parse(body).RootElement.GetProperty("enginesUp").GetInt32() == expected;
        }, within ?? TimeSpan.FromSeconds(60), $"{expected} engine node(s) Up, seen from port {node.HttpPort}");

    private static async Task<List<string>> Rows(TestDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT akka_address FROM cluster_nodes", connection);
        var addresses = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) addresses.Add(reader.GetString(0));
        return addresses;
    }
}
