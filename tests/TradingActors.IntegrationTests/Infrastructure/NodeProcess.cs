using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TradingActors.IntegrationTests.Infrastructure;

/// <summary>
/// A real node process (the built TradingActors.Node.dll), as an operator runs it: for scenarios one
/// process cannot show — kill -9, a process that vanishes mid-call, several processes' clocks.
/// Its output goes to a log file under .run/, named after the test.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The access-token key of every node this test process starts, so the tests can sign an operator's token.</summary>
    private static readonly byte[] SigningKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>Every node of a test cluster opens the same sealed credentials: one master key for the process.</summary>
    private static readonly string MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _logPath;

    private NodeProcess(Process process, StreamWriter log, string logPath, int akkaPort, int httpPort)
    {
        _process = process;
        _log = log;
        _logPath = logPath;
        AkkaPort = akkaPort;
        HttpPort = httpPort;
    }

    public int AkkaPort { get; }
    public int HttpPort { get; }
    public string AkkaAddress => $"akka.tcp://trading@127.0.0.1:{AkkaPort}";
    public Uri BaseUri => new($"http://127.0.0.1:{HttpPort}");
    public bool HasExited => _process.HasExited;

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TradingActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("TradingActors.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts a node; <paramref name="settings"/> are its Trading:* configuration, as environment variables.</summary>
    /// <param name="seed">null: the node is its own seed; "": no seed (with Cluster:Discovery)</param>
    public static NodeProcess Start(string name, string connectionString, string? seed, IReadOnlyDictionary<string, string> settings)
    {
        var root = RepositoryRoot();
        var project = Path.Combine(root, "src", "TradingActors.Node");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "TradingActors.Node.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the solution in Release first (scripts/test.sh does)");
        var (akkaPort, httpPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = project, // its appsettings.json applies, as with scripts/cluster.sh
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Trading__ConnectionString"] = connectionString;
        start.Environment["Trading__Cluster__Hostname"] = "127.0.0.1";
        start.Environment["Trading__Cluster__Port"] = akkaPort.ToString();
        start.Environment["Trading__Cluster__Seeds"] = seed ?? $"akka.tcp://trading@127.0.0.1:{akkaPort}";
        start.Environment["Trading__Api__Jwt__SigningKey"] = Convert.ToBase64String(SigningKey);
        start.Environment["Trading__Credentials__MasterKeys__test_1"] = MasterKey;
        start.Environment["Trading__Credentials__ActiveMasterKey"] = "test_1";
        start.Environment["Trading__ShutdownDrain"] = "00:00:00"; // tests that need the drain set it

        foreach (var (key, value) in settings) start.Environment["Trading__" + key.Replace(":", "__")] = value;

        var logDir = Path.Combine(root, ".run", "node-processes");
        Directory.CreateDirectory(logDir);
        var logPath = Path.Combine(logDir, name + ".log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + dll);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeProcess(process, log, logPath, akkaPort, httpPort);
    }

    /// <summary>The lines of this node's log so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LogLinesContaining(string text)
    {
        lock (_log)
        {
            using var reader = new StreamReader(new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var lines = new List<string>();
            while (reader.ReadLine() is { } line)
                if (line.Contains(text, StringComparison.Ordinal)) lines.Add(line);
            return lines;
        }
    }

    /// <summary>SIGTERM, without waiting: what an orchestrator sends to stop a node.</summary>
    public void Terminate()
    {
        using var term = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        term!.WaitForExit();
    }

    /// <summary>Waits until the process has exited; false at the deadline.</summary>
    public async Task<bool> ExitedWithin(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>kill -9: no leaving, no hand-off, nothing flushed.</summary>
    public void KillHard()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>The node's /summary, read as an admin (the route needs that role).</summary>
    public async Task<JsonElement?> Summary()
    {
        try
        {
            using var response = await Http.SendAsync(AsAdmin("/summary"));
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException) { return null; }
    }

    /// <summary>A GET as an admin: what a route answers to a caller who passes every role check.</summary>
    public async Task<HttpStatusCode?> Get(string path)
    {
        try { return (await Http.SendAsync(AsAdmin(path))).StatusCode; }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>A GET as an admin, with its body; (null, null) when the node does not answer.</summary>
    public async Task<(HttpStatusCode? Status, string? Body)> Read(string path)
    {
        try
        {
            using var response = await Http.SendAsync(AsAdmin(path));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return (null, null); }
    }

    private HttpRequestMessage AsAdmin(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken());
        return request;
    }

    /// <summary>An admin's access token signed with the nodes' key, as an operator holding the key could make one.</summary>
    private static string AdminToken()
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "tradingactors",
            Audience = "tradingactors-api",
            Claims = new Dictionary<string, object> { ["sub"] = Guid.Empty.ToString(), ["role"] = "admin" },
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the node leaves the cluster and stops; killed if it has not within 20 s.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await term!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { KillHard(); }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
