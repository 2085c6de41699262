using System.Text.RegularExpressions;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace TradingActors.Node;

/// <summary>Trading:Logging: the console's format, and an optional rolling JSON file.</summary>
public sealed class NodeLoggingOptions
{
    public const string Section = "Trading:Logging";

    /// <summary>text (one readable line per event) or json (compact JSON, one object per line, for a log shipper).</summary>
    public string Format { get; set; } = "text";

    /// <summary>A path: JSON events also go to this file, rolled daily (the date goes before the extension).</summary>
    public string? File { get; set; }

    public int RetainedFiles { get; set; } = 14;

    public void Validate()
    {
        if (Format is not ("text" or "json")) throw new ArgumentException("Trading:Logging:Format must be text or json");
        if (RetainedFiles < 1) throw new ArgumentException("Trading:Logging:RetainedFiles must be at least 1");
    }
}

/// <summary>
/// The node's Serilog set-up: every event carries the node (its cluster address), the actor path and tenant id when
/// an actor logged it, and properties whose names say they hold a secret are masked — a net under the rule that no
/// code logs a secret in the first place.
/// </summary>
public static partial class NodeLogging
{
    public const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static ITextFormatter Json { get; } = new RenderedCompactJsonFormatter();

    /// <param name="level">the minimum level, changeable at run time (tradectl log level); the configuration's overrides stay</param>
    /// <param name="recent">a sink keeping the last events (tradectl log peek)</param>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, NodeLoggingOptions options, string node,
        LoggingLevelSwitch level, ILogEventSink recent)
    {
        options.Validate();
        Enrich(logger, node);
        logger.MinimumLevel.ControlledBy(level).WriteTo.Sink(recent);
        if (options.Format == "json") logger.WriteTo.Console(Json);
        else logger.WriteTo.Console(outputTemplate: TextTemplate);
        if (!string.IsNullOrWhiteSpace(options.File))
            logger.WriteTo.File(Json, options.File, rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFiles);
        return logger;
    }

    public static LoggerConfiguration Enrich(LoggerConfiguration logger, string node) => logger
        .Enrich.WithProperty("Node", node)
        .Enrich.With(new ActorContext(), new SecretRedaction());

    /// <summary>
    /// Akka's events (through Akka.Hosting's logger factory bridge) carry ActorPath, the logging actor, and LogSource,
    /// its address-qualified path or a subsystem's name. An event with only a LogSource path gets it as ActorPath. A
    /// tenant's actors and their broker sessions live under the tenant region, whose entity name is the tenant id: it
    /// becomes TenantId.
    /// </summary>
    public sealed partial class ActorContext : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory factory)
        {
            var actorPath = Text(logEvent, "ActorPath");
            var source = Text(logEvent, "LogSource");
            if (actorPath is null && source is not null && source.Contains("://", StringComparison.Ordinal))
                logEvent.AddPropertyIfAbsent(factory.CreateProperty("ActorPath", source));
            foreach (var path in new[] { actorPath, source })
                if (path is not null && TenantEntity().Match(path) is { Success: true } tenant)
                {
                    logEvent.AddPropertyIfAbsent(factory.CreateProperty("TenantId", Uri.UnescapeDataString(tenant.Groups[1].Value)));
                    return;
                }
        }

        private static string? Text(LogEvent logEvent, string name) =>
            logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: string text } ? text : null;

        [GeneratedRegex("/system/sharding/tenant/[^/]+/([^/#]+)")]
        private static partial Regex TenantEntity();
    }

    /// <summary>Masks the value of any property whose name says it is a secret (password, secret, token, key material).</summary>
    public sealed partial class SecretRedaction : ILogEventEnricher
    {
        public const string Mask = "***";

        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory factory)
        {
            foreach (var name in logEvent.Properties.Keys.Where(n => SecretName().IsMatch(n)).ToList())
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(Mask)));
        }

        [GeneratedRegex("password|secret|token|apikey|api_key|authorization|signingkey|masterkey|credential", RegexOptions.IgnoreCase)]
        private static partial Regex SecretName();
    }
}
