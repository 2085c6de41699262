using System.Diagnostics;
using System.Text.RegularExpressions;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

/// <summary>
/// docker/compose.yml and scripts/cluster.sh start the same cluster two ways; they must give nodes the same settings
/// (the compose file through the entry point's secret files), and the compose file must be valid.
/// </summary>
public sealed partial class ClusterScriptsTests
{
    private static readonly string Root = NodeProcess.RepositoryRoot();

    [Fact]
    public async Task The_compose_file_is_valid_for_docker_compose()
    {
        var secrets = await Run("scripts/compose-secrets.sh");
        Assert.True(secrets.Code == 0, secrets.Output);

        var (code, output) = await Run("docker-compose", "-f", "docker/compose.yml", "config", "-q");

        Assert.True(code == 0, output);
    }

    [Fact]
    public void Compose_and_cluster_sh_give_nodes_the_same_settings_and_neither_has_a_fixed_seed()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker", "compose.yml"));
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "cluster.sh"));
        var composeKeys = Settings(ComposeSetting(), compose);
        var scriptKeys = Settings(ScriptSetting(), script);
        // compose hands the signing key and the operator token over as secret files, which docker/entrypoint.sh reads
        // into these settings.
        Assert.Contains("TRADING_JWT_SIGNING_KEY_FILE", compose);
        Assert.Contains("Trading__Api__Jwt__SigningKey=", File.ReadAllText(Path.Combine(Root, "docker", "entrypoint.sh")));
        composeKeys.Add("Trading__Api__Jwt__SigningKey");
        Assert.Contains("TRADING_OPS_TOKEN_FILE", compose);
        Assert.Contains("Trading__Ops__Token=", File.ReadAllText(Path.Combine(Root, "docker", "entrypoint.sh")));
        composeKeys.Add("Trading__Ops__Token");
        // Only the compose api node is reached from outside its own host (the loopback-published port).
        Assert.True(composeKeys.Remove("Trading__Ops__AllowRemote"));

        Assert.Equal(scriptKeys.Order(), composeKeys.Order());
        Assert.Contains("Trading__Cluster__Discovery: postgres", compose);
        Assert.Contains("Trading__Cluster__Discovery=postgres", script);
        Assert.DoesNotContain("Trading__Cluster__Seeds", compose + script);
        Assert.Matches(@"engine:\s*\n\s*build:", compose); // the scalable service
        Assert.Contains("Trading__Cluster__Roles: engine\n", compose);
        Assert.Contains("Trading__Cluster__Roles: api,feed\n", compose);
    }

    [Theory]
    [InlineData(2, "bogus")]
    [InlineData(2, "add", "--roles", "engine,seed")]
    [InlineData(2, "up", "0")]
    [InlineData(2, "kill", "x")]
    public async Task Cluster_sh_refuses_bad_commands_with_a_message_and_exit_code_2(int expected, params string[] args)
    {
        var (code, output) = await Run("scripts/cluster.sh", args);

        Assert.Equal(expected, code);
        Assert.Contains("cluster.sh", output);
    }

    private static HashSet<string> Settings(Regex pattern, string text) =>
        pattern.Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s+(Trading__[A-Za-z_]+):", RegexOptions.Multiline)]
    private static partial Regex ComposeSetting();

    [GeneratedRegex(@"(Trading__[A-Za-z_]+)=")]
    private static partial Regex ScriptSetting();

    private static async Task<(int Code, string Output)> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file.StartsWith("scripts/") ? Path.Combine(Root, file) : file, args)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
