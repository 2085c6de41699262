using System.Text.Json;
using Serilog;
using Serilog.Events;
using TradingActors.Node;

namespace TradingActors.Api.Tests.Node;

/// <summary>The node's JSON log lines: node, actor path and tenant id as properties, secrets masked.</summary>
public sealed class NodeLoggingTests
{
    private static JsonElement LogOne(Action<ILogger> write)
    {
        var output = new StringWriter();
        using (var logger = NodeLogging.Enrich(new LoggerConfiguration().MinimumLevel.Debug(), "10.0.0.7:4053")
                   .WriteTo.Sink(new JsonLines(output)).CreateLogger())
            write(logger);
        return JsonDocument.Parse(output.ToString().Trim()).RootElement;
    }

    /// <summary>The node's JSON formatter into a string, as its console and file sinks write it.</summary>
    private sealed class JsonLines(TextWriter output) : Serilog.Core.ILogEventSink
    {
        public void Emit(LogEvent logEvent) => NodeLogging.Json.Format(logEvent, output);
    }

    [Fact]
    public void An_event_from_a_tenants_broker_session_names_the_node_the_actor_and_the_tenant()
    {
        const string path = "akka://trading/system/sharding/tenant/42/tenant%2Dacme-7/broker-ext-1#123";

        var line = LogOne(log => log.ForContext("LogSource", path).Information("venue {Venue} answered", "simulated"));

        Assert.Equal("10.0.0.7:4053", line.GetProperty("Node").GetString());
        Assert.Equal(path, line.GetProperty("ActorPath").GetString());
        Assert.Equal("tenant-acme-7", line.GetProperty("TenantId").GetString());
        Assert.Equal("venue \"simulated\" answered", line.GetProperty("@m").GetString());
    }

    [Fact]
    public void Akkas_own_actor_path_is_kept_and_names_the_tenant()
    {
        var line = LogOne(log => log.ForContext("ActorPath", "akka://trading/system/sharding/tenant/7/t-9")
            .ForContext("LogSource", "akka.tcp://trading@127.0.0.1:4053/system/sharding/tenant/7/t-9").Warning("venue timed out"));

        Assert.Equal("akka://trading/system/sharding/tenant/7/t-9", line.GetProperty("ActorPath").GetString());
        Assert.Equal("t-9", line.GetProperty("TenantId").GetString());
    }

    [Fact]
    public void An_event_outside_any_actor_has_the_node_and_no_actor_or_tenant()
    {
        var line = LogOne(log => log.Information("started"));

        Assert.Equal("10.0.0.7:4053", line.GetProperty("Node").GetString());
        Assert.False(line.TryGetProperty("ActorPath", out _));
        Assert.False(line.TryGetProperty("TenantId", out _));
    }

    [Fact]
    public void An_actor_outside_the_tenant_region_has_its_path_and_no_tenant()
    {
        var line = LogOne(log => log.ForContext("LogSource", "akka://trading/user/strategy-rsi-btc/singleton").Information("signal"));

        Assert.Equal("akka://trading/user/strategy-rsi-btc/singleton", line.GetProperty("ActorPath").GetString());
        Assert.False(line.TryGetProperty("TenantId", out _));
    }

    [Theory]
    [InlineData("Password")]
    [InlineData("ApiSecret")]
    [InlineData("RefreshToken")]
    [InlineData("apiKey")]
    [InlineData("Authorization")]
    [InlineData("SigningKey")]
    public void A_property_named_like_a_secret_is_masked_in_the_line_and_in_the_rendered_message(string name)
    {
        const string secret = "hunter2-do-not-print";

        var line = LogOne(log => log.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null,
            new Serilog.Parsing.MessageTemplateParser().Parse($"refused {{{name}}}"), [new LogEventProperty(name, new ScalarValue(secret))])));

        Assert.DoesNotContain(secret, line.GetRawText());
        Assert.Equal(NodeLogging.SecretRedaction.Mask, line.GetProperty(name).GetString());
        Assert.Equal("refused \"***\"", line.GetProperty("@m").GetString());
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("")]
    public void An_unknown_format_stops_the_node_at_start(string format)
    {
        var error = Assert.Throws<ArgumentException>(() => new NodeLoggingOptions { Format = format }.Validate());

        Assert.Contains("Trading:Logging:Format must be text or json", error.Message);
    }
}
